"""Score parity on 100 real SciFact pairs at the model's max_length (256): PyTorch (the training framework) vs the
fp32 ONNX export vs the int8 model, both run by ONNX Runtime Java (the plugin's runtime). Fails if fp32 ONNX
differs from PyTorch by >= 1e-3. Writes training/parity_pairs.jsonl (texts, our WordPiece ids, the three scores)
for the plugin's own test (ShippedModelParityTests: the plugin's tokens equal these ids, its scores with the
committed int8 file equal onnx_int8_logit) and work/parity.json with the differences.

int8 rows are scored one per batch: dynamic quantization takes its activation scale per batch, so a row's int8
score depends on what it is batched with (PyTorch and fp32 do not)."""
import json
import os
import random
import sys

import numpy as np

from common import (BASE_TOKENIZER, HERE, RECIPE, SEED, WORK, doc_text, load_corpus, load_qrels, load_queries,
                    write_json)
from scoring import load_torch, ort_scores, torch_scores
from train import MAX_LENGTH
from wordpiece import WordPiece


def pick_pairs(n=100):
    """100 test queries (ascending id), each with one document drawn from its BM25 top-100: a judged
    relevant one for every other query, so both high and low scores are covered."""
    run_file = os.path.join(WORK, "bm25_test.json" if RECIPE == "v1" else "hybrid_test.json")
    with open(run_file) as f:
        bm25 = json.load(f)
    qrels = load_qrels("test")
    rng = random.Random(SEED)
    pairs = []
    for i, qid in enumerate(sorted(bm25, key=int)[:n]):
        ranked = [d for d, _ in bm25[qid]]
        relevant = [d for d in ranked if qrels[qid].get(d, 0) > 0]
        pairs.append((qid, relevant[0] if relevant and i % 2 == 0 else rng.choice(ranked)))
    return pairs


def main():
    corpus, queries = load_corpus(), load_queries()
    wp = WordPiece(BASE_TOKENIZER)
    pairs = pick_pairs()
    rows = [wp.pair(wp.ids(queries[q]), wp.ids(doc_text(corpus[d])), MAX_LENGTH) for q, d in pairs]
    pt = torch_scores(load_torch(), rows)
    fp32 = ort_scores(os.path.join(WORK, "model-fp32.onnx"), rows, "parity_fp32")
    # v1 (dynamic int8): one row per batch; v2 (static int8) scores the same in any batch
    int8 = ort_scores(os.path.join(WORK, "model-int8.onnx"), rows, "parity_int8", batch_size=1 if RECIPE == "v1" else 8)
    out = "parity_pairs.jsonl" if RECIPE == "v1" else f"parity_pairs_{RECIPE}.jsonl"
    with open(os.path.join(HERE, out), "w", encoding="utf-8") as f:
        for (q, d), (ids, _), a, b, c in zip(pairs, rows, pt, fp32, int8):
            f.write(json.dumps({"query_id": q, "doc_id": d, "query": queries[q], "document": doc_text(corpus[d]),
                                "max_length": MAX_LENGTH, "input_ids": ids, "torch_logit": round(float(a), 6),
                                "onnx_fp32_logit": round(float(b), 6), "onnx_int8_logit": round(float(c), 6)},
                               ensure_ascii=False) + "\n")
    d_fp32, d_int8 = np.abs(fp32 - pt), np.abs(int8 - pt)
    ranks = lambda x: np.argsort(np.argsort(x))
    report = {
        "pairs": len(pairs), "max_length": MAX_LENGTH, "truncated_pairs": sum(len(r[0]) == MAX_LENGTH for r in rows),
        "onnx_fp32_vs_pytorch": {"max_abs_diff": float(d_fp32.max()), "mean_abs_diff": float(d_fp32.mean())},
        "onnx_int8_vs_pytorch": {"max_abs_diff": float(d_int8.max()), "mean_abs_diff": float(d_int8.mean()),
                                 "spearman": float(np.corrcoef(ranks(int8), ranks(pt))[0, 1]),
                                 "max_abs_diff_sigmoid": float(np.abs(1 / (1 + np.exp(-int8)) - 1 / (1 + np.exp(-pt))).max())},
        "logit_range_pytorch": [float(pt.min()), float(pt.max())],
    }
    write_json(os.path.join(WORK, "parity.json"), report)
    print(json.dumps(report, indent=2))
    return report["onnx_fp32_vs_pytorch"]["max_abs_diff"] < 1e-3


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
