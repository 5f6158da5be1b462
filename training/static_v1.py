"""v1 with static int8 activations: models/scifact-minilm-l6-ce-static. v1's committed int8 file is read back into
PyTorch (onnx_import.py, dequantized: the per-channel int8 weights re-quantize to the same integers), exported to fp32
ONNX and statically quantized (quantize_static.py, calibrated on 128 v2 training pairs: work/v2/train_groups_v2.jsonl).
Same weights as v1, so about v1's quality; its scores do not depend on the batch. Run after train.sh v2's data step:
  TRAIN_RECIPE=v2 TRAIN_WORK=training/scratch/v2 python3 training/static_v1.py"""
import os
import shutil

import torch

from common import BASE_TOKENIZER, REPO, WORK, load_corpus, load_queries, write_json
from export import sha256
from finetune import export_onnx
from onnx_import import load
from quantize_static import calibrate, calibration_rows, quantize_static
from wordpiece import WordPiece

V1 = os.path.join(REPO, "models", "scifact-minilm-l6-ce")
OUT = os.path.join(REPO, "models", "scifact-minilm-l6-ce-static")


def main():
    torch.set_num_threads(2)
    model, notes = load(os.path.join(V1, "model.onnx"))
    model.eval()
    fp32, int8 = os.path.join(WORK, "v1-fp32.onnx"), os.path.join(WORK, "v1-static-int8.onnx")
    export_onnx(model, fp32)
    wp = WordPiece(BASE_TOKENIZER)
    rows = calibration_rows(os.path.join(WORK, "train_groups_v2.jsonl"), 16, wp, load_corpus(), load_queries(), 256)
    quantize_static(fp32, int8, calibrate(model, rows, wp.pad_id))
    os.makedirs(OUT, exist_ok=True)
    shutil.copyfile(int8, os.path.join(OUT, "model.onnx"))
    shutil.copyfile(os.path.join(V1, "tokenizer.json"), os.path.join(OUT, "tokenizer.json"))
    write_json(os.path.join(OUT, "model.json"), {
        "name": "scifact-minilm-l6-ce-static", "type": "cross_encoder", "model_file": "model.onnx",
        "tokenizer_file": "tokenizer.json",
        "sha256": {f: sha256(os.path.join(OUT, f)) for f in ("model.onnx", "tokenizer.json")},
        "max_length": 256, "output": "logit", "activation": "sigmoid",
        "source": "models/scifact-minilm-l6-ce (v1) with static int8 activations: its int8 weights read back "
                  "(dequantized; they re-quantize to the same integers), exported to fp32 ONNX and statically "
                  "quantized by training/static_v1.py (uint8 activation scales calibrated on 128 SciFact train "
                  "pairs, constants in the graph): a pair's score does not depend on its batch. See training/README.md.",
        "license": "As models/scifact-minilm-l6-ce: weights Apache-2.0 (base all-MiniLM-L6-v2), fine-tuned on SciFact "
                   "(CC BY-NC 2.0): non-commercial research use. Tokenizer: Apache-2.0.",
    })
    print(f"{notes}; installed {OUT} ({os.path.getsize(os.path.join(OUT, 'model.onnx')) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
