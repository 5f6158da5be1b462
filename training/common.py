"""Paths, data loading and small helpers shared by the training scripts."""
import glob
import json
import os
import random

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.environ.get("TRAIN_WORK", os.path.join(HERE, "scratch"))
DATA = os.environ.get("SCIFACT_DIR", os.path.join(REPO, "..", "shared", "data", "beir", "scifact"))
JAVA = os.environ.get("JAVA", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
BASE_DIR = os.environ.get("TRAIN_BASE", os.path.join(WORK, "base"))  # shared by the recipes' work dirs
JARS_DIR = os.environ.get("TRAIN_JARS", os.path.join(os.path.dirname(BASE_DIR), "jars"))
BASE_ONNX = os.path.join(BASE_DIR, "all-minilm-l6-v2.onnx")
BASE_TOKENIZER = os.path.join(BASE_DIR, "all-minilm-l6-v2-tokenizer.json")
# TRAIN_RECIPE=v1 (default): models/scifact-minilm-l6-ce; v2: models/scifact-minilm-l4-ce-v2 (see RECIPES)
RECIPE = os.environ.get("TRAIN_RECIPE", "v1")
RECIPES = {
    "v1": {"model": "scifact-minilm-l6-ce", "groups": "train_groups.jsonl", "dev_run": "bm25_dev.json",
           "init": "base", "keep": None, "quantization": "dynamic"},
    # v2: 4 of v1's 6 layers (0, 1, 4, 5: the head keeps reading the layers it was trained on; its committed int8
    # weights, dequantized), fine-tuned on hybrid negatives
    "v2": {"model": "scifact-minilm-l4-ce-v2", "groups": "train_groups_v2.jsonl", "dev_run": "hybrid_dev.json",
           "init": os.path.join(REPO, "models", "scifact-minilm-l6-ce", "model.onnx"), "keep": [0, 1, 4, 5],
           "quantization": "static"},
}
MODEL_NAME = RECIPES[RECIPE]["model"]
MODEL_DIR = os.environ.get("MODEL_OUT", os.path.join(REPO, "models", MODEL_NAME))
SEED = 13
os.makedirs(WORK, exist_ok=True)


def seed_everything(seed=SEED):
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def java_classpath():
    return ":".join(sorted(glob.glob(os.path.join(JARS_DIR, "*.jar"))))


def run_java(program, *args):
    """Runs one of the single-file programs in java/ with the jars train.sh fetched."""
    import subprocess
    env = dict(os.environ, DJL_CACHE_DIR=os.path.join(WORK, "djl-cache"))
    cmd = [JAVA, "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
           "-Djava.io.tmpdir=" + os.path.join(WORK, "tmp"), "-cp", java_classpath(),
           os.path.join(HERE, "java", program)] + [str(a) for a in args]
    os.makedirs(os.path.join(WORK, "tmp"), exist_ok=True)
    subprocess.run(cmd, check=True, env=env)


def load_corpus():
    """doc id -> {"title", "text"}; the reranker sees title + " " + text."""
    corpus = {}
    with open(os.path.join(DATA, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            corpus[d["_id"]] = {"title": d.get("title", ""), "text": d.get("text", "")}
    return corpus


def doc_text(doc):
    return (doc["title"] + " " + doc["text"]).strip()


def load_queries():
    with open(os.path.join(DATA, "queries.jsonl"), encoding="utf-8") as f:
        return {q["_id"]: q["text"] for q in map(json.loads, f)}


def load_qrels(split):
    """query id -> {doc id: label}; the files have CRLF line endings and a header."""
    qrels = {}
    with open(os.path.join(DATA, "qrels", split + ".tsv"), encoding="utf-8", newline="") as f:
        for i, line in enumerate(f):
            parts = line.rstrip("\r\n").split("\t")
            if i == 0 and parts[0] == "query-id":
                continue
            qid, did, label = parts
            qrels.setdefault(qid, {})[did] = int(label)
    return qrels


def ndcg_at_k(ranked, judged, k=10):
    """trec_eval ndcg_cut: gain = label, discount log2(rank + 1), ideal from all judged labels > 0."""
    dcg = sum(judged.get(d, 0) / np.log2(i + 2) for i, d in enumerate(ranked[:k]) if judged.get(d, 0) > 0)
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / np.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mean_ndcg(run, qrels, k=10):
    """run: query id -> ranked doc ids. Queries in qrels without a run count as 0 (trec_eval -c)."""
    return float(np.mean([ndcg_at_k(run.get(q, []), qrels[q], k) for q in qrels]))


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")
