#!/usr/bin/env bash
# Fine-tune a cross-encoder on your own judged queries; writes a model folder the plugin loads.
#   training/finetune.sh --data BEIR_DIR --base MODEL_DIR --out OUT_DIR [--dev-split N | --dev-qrels FILE]
#                        [--epochs E] [--int8 | --fp32 | --precision both] [--layers N] [--max-train-queries N] ...
# BEIR_DIR needs corpus.jsonl, queries.jsonl, qrels/train.tsv (qrels/dev.tsv optional: else --dev-split N train
# queries are held out). MODEL_DIR: a model folder (model.json, e.g. models/scifact-minilm-l4-ce-v2) or one .onnx +
# tokenizer.json (a BERT-family export, e.g. all-MiniLM-L6-v2 from Maven). `--help` lists every option; what is
# supported and the recipe: training/finetune.py and training/README.md.
# Needs Debian's python3-torch python3-onnx python3-numpy libopenblas0-pthread; with mvn and a JDK >= 22 the written
# ONNX file is also scored by ONNX Runtime Java (the plugin's runtime) for the report.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PY=${PYTHON:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2} OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} PYTHONHASHSEED=0
export TRAIN_JARS=${TRAIN_JARS:-$here/scratch/jars}
if ! "$PY" -c "import torch, onnx, numpy" 2>/dev/null; then
  echo "finetune.sh: $PY lacks torch/onnx/numpy: apt-get install -y python3-torch python3-onnx python3-numpy libopenblas0-pthread" >&2
  exit 2
fi
if [ ! -f "$TRAIN_JARS/onnxruntime-1.29.0.jar" ] && command -v mvn >/dev/null; then
  mvn -q -f "$here/java/pom.xml" dependency:copy-dependencies -DoutputDirectory="$TRAIN_JARS" >&2 || true
fi
exec nice -n 19 "$PY" "$here/finetune.py" "$@"
