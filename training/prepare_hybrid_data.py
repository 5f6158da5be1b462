"""v2 training groups: hard negatives from the hybrid first stage (hybrid.py: BM25 + all-MiniLM-L6-v2 k-NN, RRF, top
200), as the plugin shows candidates to the reranker at windows up to 200.

Only SciFact TRAIN queries/qrels; the same 60 held-out dev queries as v1 (same seed, same draw), so v1 - which v2
starts from - never trained on them either. Per epoch, each judged positive gets a group of 1 positive +
NEGATIVES negatives freshly drawn from its query's hybrid top 200 (judged positives excluded): HARD of them from
ranks 1-30, the rest from ranks 31-200 (the k-NN neighbours that wide windows add).
Writes work/train_groups_v2.jsonl and work/hybrid_dev.json (the dev queries' hybrid top 200)."""
import json
import os
import random

from common import SEED, WORK, load_qrels, write_json

DEV_QUERIES, NEGATIVES, HARD, TOP, DEPTH = 60, 7, 4, 30, 200
EPOCHS = int(os.environ.get("TRAIN_EPOCHS", "3"))  # fresh negatives per epoch; train.py keeps the best epoch on dev


def dev_split(qids, rng):
    """The v1 draw (prepare_data.py): the first use of Random(SEED) on the sorted train query ids."""
    return sorted(rng.sample(qids, DEV_QUERIES), key=int)


def main():
    train_qrels = load_qrels("train")
    with open(os.path.join(WORK, "hybrid_train.json")) as f:
        hybrid = json.load(f)
    rng = random.Random(SEED)
    qids = sorted(train_qrels, key=int)
    dev = dev_split(qids, rng)
    write_json(os.path.join(WORK, "hybrid_dev.json"), {q: hybrid[q] for q in dev})
    pools = {}
    for qid in qids:
        if qid in dev:
            continue
        positives = {d for d, label in train_qrels[qid].items() if label > 0}
        ranked = [d for d, _ in hybrid[qid][:DEPTH] if d not in positives]
        pools[qid] = (sorted(positives), ranked[:TOP], ranked[TOP:])
    groups = []
    for epoch in range(EPOCHS):
        passage = []
        for qid, (positives, top, deep) in pools.items():
            for pos in positives:
                hard = rng.sample(top, min(HARD, len(top)))
                rest = rng.sample(deep, min(NEGATIVES - len(hard), len(deep)))
                negs = hard + rest
                if len(negs) < NEGATIVES:  # tiny pools: fill from whatever is left
                    negs += rng.sample([d for d in top + deep if d not in negs], NEGATIVES - len(negs))
                passage.append({"epoch": epoch, "qid": qid, "pos": pos, "negs": negs})
        rng.shuffle(passage)
        groups += passage
    with open(os.path.join(WORK, "train_groups_v2.jsonl"), "w") as f:
        for g in groups:
            f.write(json.dumps(g) + "\n")
    print(f"{len(groups)} training groups ({EPOCHS} epochs, 1 positive + {HARD} hybrid top-{TOP} + "
          f"{NEGATIVES - HARD} hybrid {TOP + 1}-{DEPTH} negatives) from {len(pools)} train queries; dev {len(dev)} queries")


if __name__ == "__main__":
    main()
