"""Score (query, document) pairs with the PyTorch model or with an ONNX file in ONNX Runtime (Java)."""
import json
import os

import numpy as np
import torch

from bert import from_state
from common import WORK, run_java


def load_torch(state_path=os.path.join(WORK, "model.pt")):
    return from_state(state_path).eval()


def torch_scores(model, rows, batch_size=16):
    """rows: [(ids, types)]; batches of similar length, padded with attention mask 0."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    out = np.zeros(len(rows), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            length = max(len(rows[i][0]) for i in chunk)
            ids = torch.zeros((len(chunk), length), dtype=torch.long)
            types = torch.zeros_like(ids)
            mask = torch.zeros_like(ids)
            for r, i in enumerate(chunk):
                n = len(rows[i][0])
                ids[r, :n] = torch.tensor(rows[i][0])
                types[r, :n] = torch.tensor(rows[i][1])
                mask[r, :n] = 1
            out[chunk] = model(ids, mask, types)[:, 0].numpy()
    return out


def ort_scores(onnx_path, rows, tag, batch_size=16):
    path_in, path_out = os.path.join(WORK, f"rows_{tag}.jsonl"), os.path.join(WORK, f"ort_{tag}.txt")
    with open(path_in, "w") as f:
        for ids, types in rows:
            f.write(json.dumps({"ids": ids, "types": types}) + "\n")
    run_java("OrtScore.java", onnx_path, path_in, path_out, batch_size, 2)
    with open(path_out) as f:
        return np.array([float(line) for line in f], dtype=np.float32)
