"""nDCG@10 of BM25 and of BM25 reranked by the cross-encoder.

usage: evaluate.py SPLIT BACKEND [MAX_LENGTH]
  SPLIT   dev (60 held-out TRAIN queries, BM25 top-30) or test (300 SciFact test queries, BM25 top-100)
  BACKEND torch (work/model.pt), fp32 (work/model-fp32.onnx in ONNX Runtime) or int8 (work/model-int8.onnx)
Writes work/eval_SPLIT_BACKEND_MAXLEN.json (scores kept for later analysis).
"""
import json
import os
import sys
import time

from common import (BASE_TOKENIZER, WORK, doc_text, load_corpus, load_qrels, load_queries, mean_ndcg,
                    write_json)
from scoring import load_torch, ort_scores, torch_scores
from wordpiece import WordPiece


def main(split, backend, max_length=512):
    with open(os.path.join(WORK, f"bm25_{split}.json")) as f:
        bm25 = json.load(f)
    qrels = load_qrels("train" if split == "dev" else "test")
    qrels = {q: qrels[q] for q in bm25}
    corpus, queries = load_corpus(), load_queries()
    wp = WordPiece(BASE_TOKENIZER)
    doc_ids = {d: wp.ids(doc_text(corpus[d])) for run in bm25.values() for d, _ in run}
    pairs = [(q, d) for q, run in bm25.items() for d, _ in run]
    query_ids = {q: wp.ids(queries[q]) for q in bm25}
    rows = [wp.pair(query_ids[q], doc_ids[d], max_length) for q, d in pairs]
    started = time.time()
    tag = f"{split}_{backend}_{max_length}"
    if backend == "torch":
        scores = torch_scores(load_torch(), rows)
    else:
        scores = ort_scores(os.path.join(WORK, f"model-{backend}.onnx"), rows, tag)
    seconds = time.time() - started
    by_query = {}
    for (q, d), s in zip(pairs, scores):
        by_query.setdefault(q, []).append((d, float(s)))
    # Rerank: score descending, ties keep the BM25 order (sort is stable).
    reranked = {q: [d for d, _ in sorted(v, key=lambda x: -x[1])] for q, v in by_query.items()}
    result = {
        "split": split, "backend": backend, "max_length": max_length, "queries": len(qrels),
        "depth": len(next(iter(bm25.values()))), "pairs": len(pairs),
        "ndcg@10_bm25": round(mean_ndcg({q: [d for d, _ in r] for q, r in bm25.items()}, qrels), 4),
        "ndcg@10_reranked": round(mean_ndcg(reranked, qrels), 4),
        "scoring_seconds": round(seconds, 1),
        "scores": {q: v for q, v in by_query.items()},
    }
    write_json(os.path.join(WORK, f"eval_{tag}.json"), result)
    print(f"{split} {backend} max_length={max_length}: BM25 nDCG@10 {result['ndcg@10_bm25']:.4f} -> reranked "
          f"{result['ndcg@10_reranked']:.4f} ({len(qrels)} queries, {len(pairs)} pairs, {seconds:.0f} s)")
    return result


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 512)
