#!/usr/bin/env bash
# v1 (models/scifact-minilm-l6-ce) vs v2 (models/scifact-minilm-l4-ce-v2) in one run of the rescorer benchmark: one
# compile, then RescorerBenchmark (plugin path vs bare ONNX Runtime on the same batches) for v1, v2, v1, v2 back to
# back with the same pairs, threads and batch size; each model's faster repetition is kept.
#   bench/rescorer-v1-vs-v2.sh BEIR_DIR RUN_FILE [queries] [threads] [batch]
# DL19 (as bench/run-all.sh): bench/rescorer-v1-vs-v2.sh "$BEIR/msmarco-dl19-pool" "$BEIR/msmarco-dl19-pool/runs/BM25.top100.trec" 5 2 8
# Writes bench/results/rescorer-v1-vs-v2.json and bench/results/rescorer-scifact-minilm-l4-ce-v2-int8.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/rescorer-benchmark.sh --compile-only
bench() {
  BENCH_PREBUILT=1 bench/rescorer-benchmark.sh "$@"
}
out=target/rescorer-v1-vs-v2
mkdir -p "$out"
for rep in 1 2; do
  for m in scifact-minilm-l6-ce scifact-minilm-l4-ce-v2; do
    echo "== $m, repetition $rep" >&2
    bench "models/$m" "$@" > "$out/$m.$rep.json"
  done
done
python3 - "$out" "$@" <<'PY'
import json, sys, time
out, args = sys.argv[1], sys.argv[2:]
runs = {m: [json.load(open(f"{out}/{m}.{r}.json")) for r in (1, 2)] for m in ("scifact-minilm-l6-ce", "scifact-minilm-l4-ce-v2")}
best = {m: min(rs, key=lambda r: r["plugin_ms_per_100_pairs"]) for m, rs in runs.items()}
v1, v2 = best["scifact-minilm-l6-ce"], best["scifact-minilm-l4-ce-v2"]
summary = {"what": "ms per 100 pairs, plugin path and bare ONNX Runtime on the same batches; v1 and v2 alternated "
                   "twice in one run (v1, v2, v1, v2), each model's faster repetition kept",
           "args": args, "date": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()),
           "v1": {k: v1[k] for k in ("model", "plugin_ms_per_100_pairs", "bare_ort_ms_per_100_pairs", "plugin_overhead_ratio")},
           "v2": {k: v2[k] for k in ("model", "plugin_ms_per_100_pairs", "bare_ort_ms_per_100_pairs", "plugin_overhead_ratio")},
           "v2_over_v1_plugin": round(v2["plugin_ms_per_100_pairs"] / v1["plugin_ms_per_100_pairs"], 3),
           "v2_over_v1_bare_ort": round(v2["bare_ort_ms_per_100_pairs"] / v1["bare_ort_ms_per_100_pairs"], 3),
           "repetitions": {m: [{k: r[k] for k in ("plugin_ms_per_100_pairs", "bare_ort_ms_per_100_pairs")} for r in rs]
                           for m, rs in runs.items()},
           "full": best}
json.dump(summary, open("bench/results/rescorer-v1-vs-v2.json", "w"), indent=2)
json.dump(v2, open("bench/results/rescorer-scifact-minilm-l4-ce-v2-int8.json", "w"), indent=2)
print(json.dumps({k: summary[k] for k in ("v1", "v2", "v2_over_v1_plugin", "v2_over_v1_bare_ort")}, indent=1))
PY
