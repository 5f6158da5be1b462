#!/usr/bin/env bash
# CI smoke run of the fine-tuning command: fine-tunes the committed v2 cross-encoder on the tiny judged sample
# (training/data/scifact-train-sample: 12 training queries, 8 held-out, 1 epoch) and checks the folder it writes
# (model.json names the files, their sha256 match, a report with nDCG@10 before/after). A few minutes on 2 cores.
#   training/finetune-smoke.sh [OUT_DIR [--node URL [--node-models DIR]]]
#     default OUT_DIR: target/finetune-smoke/scifact-smoke-ce; with --node the report also measures before/after
#     through the plugin on that running node (finetune.py --help)
# Then copy OUT_DIR into a node's models directory and rescore with "model": "scifact-smoke-ce".
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/target/finetune-smoke/scifact-smoke-ce}
shift || true
rm -rf "$out" "$out.work"
"$repo/training/finetune.sh" --data "$repo/training/data/scifact-train-sample" --base "$repo/models/scifact-minilm-l4-ce-v2" \
  --out "$out" --max-train-queries 12 --epochs 1 --int8 "$@"
PY=${PYTHON:-/usr/bin/python3}
"$PY" - "$out" <<'PYEOF'
import hashlib, json, os, sys
out = sys.argv[1]
d = json.load(open(os.path.join(out, "model.json")))
assert d["type"] == "cross_encoder" and d["model_file"] == "model.onnx" and d["tokenizer_file"] == "tokenizer.json", d
for f, digest in d["sha256"].items():
    assert hashlib.sha256(open(os.path.join(out, f), "rb").read()).hexdigest() == digest, f
r = json.load(open(os.path.join(out, "finetune-report.json")))
assert "bm25" in r["ndcg@10"] and "finetuned_pytorch" in r["ndcg@10"], r["ndcg@10"]
if "node" in r:
    assert set(r["node"]["ndcg@10"]) == {"bm25", "base", "finetuned"}, r["node"]
    print(f"through the {r['node']['engine']} node: {r['node']['ndcg@10']}")
print(f"finetune smoke: {out} ok, nDCG@10 on {r['dev_queries']} held-out queries {r['ndcg@10']}, {r['seconds']['total']} s")
PYEOF
