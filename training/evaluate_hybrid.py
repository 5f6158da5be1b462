"""nDCG@10 of the hybrid first stage (hybrid.py) and of its top N reranked by an ONNX cross-encoder in ONNX Runtime
(Java, the plugin's runtime), N = 50, 100, 200, scored the way the plugin's rescorer does by default:
[CLS] query [SEP] title + "\\n" + text [SEP] (WordPiece treats the newline as a space), max_length tokens; a document
longer than one row is cut into windows of (max_length - query - 3) tokens overlapping by
stride = min(64, room / 4), at most 8 windows (PairTokenizer.chunks), the document's score is the max over its
windows (pooling: max); rows sorted by length in batches of BATCH. Also reports "first window only" (truncation,
what evaluate.py and the training do) from the same scores.

usage: evaluate_hybrid.py SPLIT MODEL.onnx NAME [MAX_LENGTH] [BATCH]
  SPLIT dev (60 held-out TRAIN queries, work/hybrid_dev.json) or test (300 SciFact test queries, hybrid_test.json)
  EVAL_EVERY=k: only every k-th query (sorted by id), a subset for a machine without the time for all
Writes work/eval_hybrid_SPLIT_NAME.json."""
import json
import os
import sys
import time

from common import (BASE_TOKENIZER, WORK, load_corpus, load_qrels, load_queries, mean_ndcg, run_java, write_json)
from wordpiece import WordPiece

WINDOWS = (50, 100, 200)
MAX_CHUNKS = int(os.environ.get("EVAL_CHUNKS", "8"))  # EVAL_CHUNKS=1: truncation (first window only), half the rows


def chunks(wp, query_ids, doc_ids, max_length):
    budget = max_length - len(query_ids) - 3
    stride = min(64, budget // 4)
    out, start = [], 0
    while True:
        end = min(len(doc_ids), start + budget)
        out.append(wp.pair(query_ids, doc_ids[start:end], max_length))
        if end == len(doc_ids) or len(out) == MAX_CHUNKS:
            return out
        start = end - stride


def main(split, onnx_path, name, max_length=256, batch=8):
    with open(os.path.join(WORK, f"hybrid_{split}.json")) as f:
        first = json.load(f)
    every = int(os.environ.get("EVAL_EVERY", "1"))  # EVAL_EVERY=3: every third query by id (a cheaper subset)
    if every > 1:
        first = {q: first[q] for q in sorted(first, key=int)[::every]}
    corpus, queries = load_corpus(), load_queries()
    wp = WordPiece(BASE_TOKENIZER)
    rows, owners = [], []
    for qid, ranked in first.items():
        q = wp.ids(queries[qid])
        for d, _ in ranked[:max(WINDOWS)]:
            doc = corpus[d]
            text = "\n".join(p for p in (doc["title"], doc["text"]) if p)
            for c, row in enumerate(chunks(wp, q, wp.ids(text), max_length)):
                rows.append(row)
                owners.append((qid, d, c))
    path_in, path_out = os.path.join(WORK, f"rows_hybrid_{split}_{name}.jsonl"), os.path.join(WORK, f"ort_hybrid_{split}_{name}.txt")
    with open(path_in, "w") as f:
        for ids, types in rows:
            f.write(json.dumps({"ids": ids, "types": types}) + "\n")
    started = time.time()
    run_java("OrtScore.java", onnx_path, path_in, path_out, batch, 2)
    seconds = time.time() - started
    with open(path_out) as f:
        scores = [float(line) for line in f]
    best, firsts = {}, {}
    for (qid, d, c), s in zip(owners, scores):
        key = (qid, d)
        best[key] = max(best.get(key, s), s)
        if c == 0:
            firsts[key] = s
    # judgments are read only now, after scoring
    qrels = load_qrels("train" if split == "dev" else "test")
    qrels = {q: qrels[q] for q in first}
    result = {"split": split, "model": onnx_path, "name": name, "max_length": max_length, "batch": batch, "every": every, "max_chunks": MAX_CHUNKS,
              "queries": len(first), "rows": len(rows), "pairs": len(best), "scoring_seconds": round(seconds, 1),
              "ndcg@10_hybrid": round(mean_ndcg({q: [d for d, _ in r] for q, r in first.items()}, qrels), 4)}
    for label, table in (("chunked_max", best), ("first_window", firsts)):
        for n in WINDOWS:
            run = {q: [d for d, _ in sorted(((d, table[(q, d)]) for d, _ in r[:n]), key=lambda x: -x[1])]
                   for q, r in first.items()}
            result[f"ndcg@10_{label}@{n}"] = round(mean_ndcg(run, qrels), 4)
    write_json(os.path.join(WORK, f"eval_hybrid_{split}_{name}.json"),
               dict(result, scores={f"{q}\t{d}": round(s, 5) for (q, d), s in best.items()}))
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], *(int(a) for a in sys.argv[4:]))
