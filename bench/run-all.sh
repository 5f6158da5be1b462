#!/usr/bin/env bash
# Reproduces every committed result in bench/results on this machine: starts a node with the models, runs the
# evaluation on SciFact (test), the TREC DL 2019 pool and CACM, the shard-split comparison, and the rescorer
# benchmark against bare ONNX Runtime. Needs the BEIR folders (default: ../shared/data/beir).
#
#   bench/run-all.sh [BEIR_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
BEIR=${1:-../shared/data/beir}
CE=scifact-minilm-l6-ce
CE2=scifact-minilm-l4-ce-v2
EMB=all-minilm-l6-v2
PY=/usr/bin/python3   # Debian's python3-matplotlib draws the plots; any python3 works without them
[ -x "$PY" ] || PY=python3
export NODE_DIR=target/eval-node NODE_HTTP_PORT=${NODE_HTTP_PORT:-9200} NODE_HEAP=${NODE_HEAP:-2g}
URL=http://127.0.0.1:$NODE_HTTP_PORT

./mvnw -B -ntp -q package -pl src/opensearch -am -DskipTests
./mvnw -B -ntp -q -pl src/opensearch dependency:copy@integ-distribution -Dinteg.dir="$PWD/target/integ"
rm -rf target/eval-models && mkdir -p target/eval-models
cp -r "models/$CE" "models/$CE2" "target/test-models/$EMB" target/eval-models/
DOWNLOADS=target/integ/downloads MODELS_FROM=target/eval-models scripts/node.sh start
trap 'scripts/node.sh stop' EXIT

ev() { $PY bench/evaluate.py --url "$URL" "$@"; }
# all three first stages, and hybrid_rrf + cross_encoder at windows 50, 100 and 200, on every judged query (SciFact
# also BM25 + cross_encoder@100, the published anchor's setting; its window 200 is ~60,000 pairs of 256 tokens, about
# 30 minutes here). score_mode combine on the same indexes: how much an out-of-domain model still hurts. One CACM query
# has 138 word-pieces: the rescorer never truncates a query and allows at most half of max_length (256) for it, so
# the cross-encoder gets each CACM query's first 70 words (the first stage all of it).
ev --data "$BEIR/scifact" --name scifact --embedding-model $EMB --cross-encoder $CE --windows 50 100 200 --bm25-windows 100 --latency-queries 10
ev --data "$BEIR/scifact" --name scifact-combine --index scifact --skip-index --embedding-model $EMB --cross-encoder $CE --windows 50 --latency-queries 5 --ce-option score_mode=combine --ce-option first_stage_scale=0.0164
ev --data "$BEIR/msmarco-dl19-pool" --name trec-dl19-pool --embedding-model $EMB --cross-encoder $CE --windows 50 100 200 --latency-queries 10
ev --data "$BEIR/msmarco-dl19-pool" --name trec-dl19-pool-combine --index trec-dl19-pool --skip-index --embedding-model $EMB --cross-encoder $CE --windows 50 100 200 --latency-queries 5 --ce-option score_mode=combine --ce-option first_stage_scale=0.0164
ev --data "$BEIR/msmarco-dl19-pool" --name trec-dl19-pool-combine-w3 --index trec-dl19-pool --skip-index --embedding-model $EMB --cross-encoder $CE --windows 50 --latency-queries 5 --ce-option score_mode=combine --ce-option first_stage_scale=0.0164 --ce-option first_stage_weight=3
ev --data "$BEIR/msmarco-dl19-pool" --name trec-dl19-pool-bm25 --index trec-dl19-pool --skip-index --cross-encoder $CE --windows 100 --latency-queries 10
ev --data "$BEIR/cacm" --name cacm --embedding-model $EMB --cross-encoder $CE --windows 50 100 200 --ce-query-words 70 --latency-queries 10
ev --data "$BEIR/cacm" --name cacm-combine --index cacm --skip-index --embedding-model $EMB --cross-encoder $CE --windows 50 100 200 --ce-query-words 70 --latency-queries 5 --ce-option score_mode=combine --ce-option first_stage_scale=0.0164
ev --data "$BEIR/cacm" --name cacm-combine-w3 --index cacm --skip-index --embedding-model $EMB --cross-encoder $CE --windows 50 --ce-query-words 70 --latency-queries 5 --ce-option score_mode=combine --ce-option first_stage_scale=0.0164 --ce-option first_stage_weight=3
# v2 on the same indexes: replace at windows 50, 100, 200 and the merge-safe (fixed-scale) combine (SciFact: window
# 50 only, as for v1: its windows 100 and 200 are ~40 minutes more here)
for c in scifact:scifact:50 trec-dl19-pool:msmarco-dl19-pool:50,100,200 cacm:cacm:50,100,200; do
  IFS=: read -r name folder combine_windows <<< "$c"
  data=$BEIR/$folder words=()
  [ "$name" = cacm ] && words=(--ce-query-words 70)
  ev --data "$data" --name "$name-v2" --index "$name" --skip-index --embedding-model $EMB --cross-encoder $CE2 --windows 50 100 200 "${words[@]}" --latency-queries 5
  ev --data "$data" --name "$name-v2-combine" --index "$name" --skip-index --embedding-model $EMB --cross-encoder $CE2 --windows ${combine_windows//,/ } "${words[@]}" --latency-queries 5 --ce-option score_mode=combine --ce-option first_stage_scale=0.0164
done
$PY bench/compare_models.py --out bench/results/cross-encoders bench/results/{scifact,trec-dl19-pool,cacm}.json \
  bench/results/{scifact,trec-dl19-pool,cacm}-combine.json bench/results/{scifact,trec-dl19-pool,cacm}-v2{,-combine}.json
# end-to-end latency at concurrency 1, 2 and 4 (bounded loops on the index built above)
$PY bench/latency.py --url "$URL" --data "$BEIR/msmarco-dl19-pool" --name trec-dl19-pool --embedding-model $EMB --cross-encoder $CE --seconds 10
bench/rescorer-benchmark.sh "models/$CE" "$BEIR/msmarco-dl19-pool" "$BEIR/msmarco-dl19-pool/runs/BM25.top100.trec" 5 2 8 \
  > "bench/results/rescorer-$CE-int8.json"
# the same against the fp32 export, where training/train.sh has produced it (90 MB: not in the repository)
FP32_ONNX=${TRAIN_WORK:-training/scratch}/model-fp32.onnx
if [ -f "$FP32_ONNX" ]; then
  fp32=target/bench-models/$CE-fp32 && mkdir -p "$fp32"
  cp "$FP32_ONNX" "$fp32/model.onnx" && cp "models/$CE/tokenizer.json" "$fp32/"
  $PY - "$CE" "$fp32" <<'PYEOF'
import hashlib, json, sys
ce, out = sys.argv[1], sys.argv[2]
d = json.load(open(f"models/{ce}/model.json"))
d["name"], d["sha256"]["model.onnx"] = ce + "-fp32", hashlib.sha256(open(out + "/model.onnx", "rb").read()).hexdigest()
json.dump(d, open(out + "/model.json", "w"), indent=2)
PYEOF
  bench/rescorer-benchmark.sh "$fp32" "$BEIR/msmarco-dl19-pool" "$BEIR/msmarco-dl19-pool/runs/BM25.top100.trec" 5 2 8 \
    > "bench/results/rescorer-$CE-fp32.json"
fi
# the same reranking on 1 shard x window 30 and 3 shards x window 10 (BM25 first stage; combine's first_stage_scale 14 is
# the median top BM25 score of the SciFact train queries), and reranked search latency alone and while four clients
# embed passages through text_vectors
$PY bench/shard_merge.py --url "$URL" --data "$BEIR/scifact" --queries 100 --first-stage-scale 14 --out bench/results/scifact-shards
$PY bench/ingest_contention.py --url "$URL" --scifact "$BEIR/scifact" --passages "$BEIR/msmarco-dl19-pool" --out bench/results/ingest-contention.json
# how per-shard rescoring divides the work: 1 shard x window 100 against 4 shards x window 25 (BM25 first stage)
ev --data "$BEIR/cacm" --name cacm-1shard-w100 --cross-encoder $CE --shards 1 --windows 100 --ce-query-words 70 --latency-queries 52
ev --data "$BEIR/cacm" --name cacm-4shards-w25 --cross-encoder $CE --shards 4 --windows 25 --ce-query-words 70 --latency-queries 52
