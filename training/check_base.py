"""Check that bert.py + load_base reproduce the base ONNX model's last_hidden_state (ONNX Runtime, Java)."""
import json
import os
import sys

import numpy as np
import torch

from bert import CrossEncoder, load_base
from common import BASE_ONNX, BASE_TOKENIZER, WORK, doc_text, load_corpus, load_queries, run_java
from wordpiece import WordPiece


def main(n=8):
    wp = WordPiece(BASE_TOKENIZER)
    queries = list(load_queries().values())[:n]
    docs = [doc_text(d) for d in list(load_corpus().values())[:n]]
    rows = [wp.pair(wp.ids(q), wp.ids(d), 128 + 64 * (i % 3)) for i, (q, d) in enumerate(zip(queries, docs))]
    path_in, path_out = os.path.join(WORK, "base_rows.jsonl"), os.path.join(WORK, "base_ort.txt")
    with open(path_in, "w") as f:
        for ids, types in rows:
            f.write(json.dumps({"ids": ids, "types": types}) + "\n")
    run_java("OrtScore.java", BASE_ONNX, path_in, path_out, 4, 2)
    model = load_base(CrossEncoder(), BASE_ONNX).eval()
    worst = 0.0
    with open(path_out) as f:
        for (ids, types), line in zip(rows, f):
            ort = np.array(line.split(), dtype=np.float32).reshape(len(ids), -1)
            with torch.no_grad():
                t = lambda x: torch.tensor([x])
                mine = model.encode(t(ids), t([1] * len(ids)), t(types))[0].numpy()
            worst = max(worst, float(np.abs(mine - ort).max()))
    print(f"base encoder vs ONNX Runtime: max abs diff of last_hidden_state over {len(rows)} rows = {worst:.2e}")
    return worst < 1e-4


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
