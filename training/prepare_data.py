"""Training groups and BM25 runs. Uses only SciFact TRAIN queries/qrels for training (a seeded 60-query
slice of them is held out as a dev set); TEST queries only get their BM25 top-100 for evaluation."""
import json
import os
import random

from bm25 import BM25
from common import SEED, WORK, load_corpus, load_qrels, load_queries, mean_ndcg, write_json

DEV_QUERIES, NEGATIVES, NEG_POOL, EPOCHS = 60, 7, 30, 3


def main():
    corpus, queries = load_corpus(), load_queries()
    train_qrels, test_qrels = load_qrels("train"), load_qrels("test")
    assert not set(train_qrels) & set(test_qrels)
    bm25 = BM25(corpus)
    rng = random.Random(SEED)
    qids = sorted(train_qrels, key=int)
    dev = sorted(rng.sample(qids, DEV_QUERIES), key=int)
    pools = {}
    for qid in qids:
        if qid not in dev:
            positives = {d for d, label in train_qrels[qid].items() if label > 0}
            pools[qid] = (sorted(positives), [d for d, _ in bm25.search(queries[qid], NEG_POOL) if d not in positives])
    # One pass per epoch, each with freshly sampled negatives and its own order.
    groups = []
    for epoch in range(EPOCHS):
        passage = [{"epoch": epoch, "qid": qid, "pos": pos, "negs": rng.sample(pool, NEGATIVES)}
                   for qid, (positives, pool) in pools.items() for pos in positives]
        rng.shuffle(passage)
        groups += passage
    with open(os.path.join(WORK, "train_groups.jsonl"), "w") as f:
        for g in groups:
            f.write(json.dumps(g) + "\n")
    runs = {}
    for name, qrels, depth in (("dev", {q: train_qrels[q] for q in dev}, 30), ("test", test_qrels, 100)):
        run = {qid: bm25.search(queries[qid], depth) for qid in qrels}
        runs[name] = {"ndcg@10": mean_ndcg({q: [d for d, _ in r] for q, r in run.items()}, qrels), "depth": depth}
        write_json(os.path.join(WORK, f"bm25_{name}.json"), run)
    print(f"{len(groups)} training groups ({EPOCHS} epochs, 1 positive + {NEGATIVES} BM25 negatives) from "
          f"{len(qids) - len(dev)} train queries; dev {len(dev)} queries; BM25 nDCG@10 "
          + ", ".join(f"{n}={r['ndcg@10']:.4f} (top-{r['depth']})" for n, r in runs.items()))


if __name__ == "__main__":
    main()
