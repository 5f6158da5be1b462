"""Reads a BEIR-format folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv."""
import json
import os


def load(folder, split="test"):
    corpus = {}
    with open(os.path.join(folder, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            corpus[str(d["_id"])] = {"title": d.get("title") or "", "text": d.get("text") or ""}
    queries = {}
    with open(os.path.join(folder, "queries.jsonl"), encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            queries[str(q["_id"])] = q["text"]
    qrels = {}
    with open(os.path.join(folder, "qrels", f"{split}.tsv"), encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            parts = line.strip().split("\t")  # files may have CRLF endings: strip() handles them
            if len(parts) < 3:
                continue
            qid, did, label = parts[0], parts[1], int(parts[2])
            qrels.setdefault(qid, {})[did] = label
    queries = {q: t for q, t in queries.items() if q in qrels}
    return corpus, queries, qrels
