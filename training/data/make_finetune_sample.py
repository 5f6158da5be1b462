"""Makes training/data/scifact-train-sample/ (committed): a tiny judged BEIR folder for the fine-tuning command's CI
smoke run. 32 SciFact TRAIN queries (seeded draw; 24 in qrels/train.tsv, 8 in qrels/dev.tsv), their judged
documents and each query's BM25 top 20 as the corpus. SciFact: CC BY-NC 2.0 (Wadden et al. 2020).
usage: make_finetune_sample.py [SCIFACT_DIR]"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
if len(sys.argv) > 1:
    os.environ["SCIFACT_DIR"] = sys.argv[1]
from bm25 import BM25  # noqa: E402
from common import load_corpus, load_qrels, load_queries  # noqa: E402

OUT = os.path.join(HERE, "scifact-train-sample")


def main():
    corpus, queries, qrels = load_corpus(), load_queries(), load_qrels("train")
    rng = random.Random(13)
    chosen = sorted(rng.sample(sorted(qrels, key=int), 32), key=int)
    train, dev = chosen[:24], chosen[24:]
    bm25 = BM25(corpus, k1=1.2, b=0.75, stop=False)
    docs = set()
    for q in chosen:
        docs |= set(qrels[q]) | {d for d, _ in bm25.search(queries[q], 20)}
    os.makedirs(os.path.join(OUT, "qrels"), exist_ok=True)
    with open(os.path.join(OUT, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for d in sorted(docs, key=int):
            f.write(json.dumps({"_id": d, "title": corpus[d]["title"], "text": corpus[d]["text"]}, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "queries.jsonl"), "w", encoding="utf-8") as f:
        for q in chosen:
            f.write(json.dumps({"_id": q, "text": queries[q]}, ensure_ascii=False) + "\n")
    for name, ids in (("train", train), ("dev", dev)):
        with open(os.path.join(OUT, "qrels", name + ".tsv"), "w") as f:
            f.write("query-id\tcorpus-id\tscore\n")
            for q in ids:
                for d, label in sorted(qrels[q].items()):
                    f.write(f"{q}\t{d}\t{label}\n")
    with open(os.path.join(OUT, "SOURCE.txt"), "w") as f:
        f.write("32 SciFact train queries (24 train, 8 dev), their judged documents and BM25 top 20 each; made by "
                "training/data/make_finetune_sample.py from BEIR SciFact. License: CC BY-NC 2.0 (Wadden et al. 2020).\n")
    print(f"{OUT}: {len(docs)} docs, {len(train)} train + {len(dev)} dev queries")


if __name__ == "__main__":
    main()
