"""Collect the v2 run's numbers into bench/results/training-scifact-v2.json."""
import glob
import json
import os
import platform

import train
from common import MODEL_DIR, REPO, WORK, write_json


def load(path):
    with open(path) as f:
        return json.load(f)


def main():
    evals = {}
    for path in sorted(glob.glob(os.path.join(WORK, "eval_hybrid_*.json"))):
        e = load(path)
        e.pop("scores", None)
        evals[f"{e['split']}_{e['name']}"] = e
    timings = {}
    if os.path.exists(os.path.join(WORK, "timings.txt")):
        with open(os.path.join(WORK, "timings.txt")) as f:
            for line in f:
                if line.strip():
                    name, s = line.split()
                    timings[name] = timings.get(name, 0) + int(s)
    with open(os.path.join(WORK, "dev_by_epoch.jsonl")) as f:
        dev = [json.loads(line) for line in f]
    descriptor = load(os.path.join(MODEL_DIR, "model.json"))
    result = {
        "benchmark": "SciFact (BEIR): hybrid first stage (training/hybrid.py: BM25 + all-MiniLM-L6-v2 k-NN, RRF k=60, "
                     "top 200) reranked at windows 50/100/200 by ONNX Runtime Java, the plugin's scoring rules "
                     "(max_length 256, windows of long documents with stride min(64, room/4), max pooling)",
        "metric": "nDCG@10, trec_eval ndcg_cut_10 semantics",
        "model": {"name": descriptor["name"], "sha256": descriptor["sha256"]["model.onnx"],
                  "bytes": os.path.getsize(os.path.join(MODEL_DIR, "model.onnx")), "max_length": train.MAX_LENGTH},
        "training": {"recipe": "v2", "dev_by_epoch": dev, "epochs": train.EPOCHS, "lr": train.LR,
                     "head_lr": train.HEAD_LR, "groups_per_step": train.GROUPS_PER_STEP, "bf16_autocast": train.BF16},
        "parity": load(os.path.join(WORK, "parity.json")) if os.path.exists(os.path.join(WORK, "parity.json")) else None,
        "runs": evals,
        "timings_seconds": timings,
        "machine": f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), shared with "
                   "other builds; all jobs under nice -n 19",
    }
    path = os.path.join(REPO, "bench", "results", "training-scifact-v2.json")
    write_json(path, result)
    print(json.dumps({k: {m: v for m, v in e.items() if m.startswith("ndcg")} for k, e in evals.items()}, indent=1), "->", path)


if __name__ == "__main__":
    main()
