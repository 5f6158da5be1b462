"""The hybrid first stage as the plugin shows it to the reranker, offline: BM25 (OpenSearch's defaults) + k-NN with
the in-node embedding model all-MiniLM-L6-v2, fused by RRF exactly as the plugin's hybrid_rrf does.

* BM25: k1=1.2, b=0.75 (OpenSearch's defaults) over title + text (the benchmark indexes both into one `all` field),
  lowercase, split on non-alphanumerics, no stop words (the standard analyzer). training/bm25.py.
* k-NN: the plugin's own embedding model file (all-MiniLM-L6-v2 int8, sha256 afdb6f1a... as in
  models/all-minilm-l6-v2/model.json; EMBED_ONNX, default ../shared/models/all-MiniLM-L6-v2-int8 beside the repository) run by ONNX
  Runtime Java (java/OrtEmbed.java, batches of 8 by length), mean pooling over the real tokens, L2-normalized, cosine =
  dot product; text = title + "\\n" + text (the text_vectors processor joins fields with newlines), [CLS] text [SEP]
  truncated to 256 tokens (model.json max_length), our WordPiece (checked against DJL); exact search (the plugin's
  HNSW is approximate). Without that file: the fp32 base in PyTorch (same weights, not quantized).
* RRF: score(d) = sum over the two lists of 1 / (60 + rank), ranks from 1, each list its top DEPTH (200),
  ties by doc id order of first appearance.

usage: hybrid.py  -> work/emb_docs.npy, work/emb_queries.npy (cached), work/hybrid_{train,test}.json:
       query id -> [[doc id, rrf score], ...] top 200, for every query of that qrels split. Test queries get runs
       only (their judgments are not read here)."""
import json
import os
import time

import numpy as np
import torch

from bert import CrossEncoder, load_base
from bm25 import BM25
from common import DATA, REPO, BASE_ONNX, run_java, BASE_TOKENIZER, WORK, load_corpus, load_qrels, load_queries, write_json
from wordpiece import WordPiece

DEPTH, RANK_CONSTANT, EMB_MAX_LENGTH = 200, 60, 256


def embed_text(doc):
    return "\n".join(p for p in (doc["title"], doc["text"]) if p)


EMBED_ONNX = os.environ.get("EMBED_ONNX", os.path.join(REPO, "..", "shared", "models", "all-MiniLM-L6-v2-int8",
                                                          "model_quantized.onnx"))
EMBED_SHA256 = "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1"


def embed_ort(texts, wp, tag):
    rows_path, out_path = os.path.join(WORK, f"emb_rows_{tag}.jsonl"), os.path.join(WORK, f"emb_{tag}.txt")
    with open(rows_path, "w") as f:
        for t in texts:
            ids = [wp.cls_id] + wp.ids(t)[:EMB_MAX_LENGTH - 2] + [wp.sep_id]
            f.write(json.dumps({"ids": ids, "types": [0] * len(ids)}) + "\n")
    run_java("OrtEmbed.java", EMBED_ONNX, rows_path, out_path, 8, 2)
    return np.loadtxt(out_path, dtype=np.float32)


def embed(texts, wp, model, batch_size=32):
    rows = [[wp.cls_id] + wp.ids(t)[:EMB_MAX_LENGTH - 2] + [wp.sep_id] for t in texts]
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    out = np.zeros((len(rows), 384), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            length = max(len(rows[i]) for i in chunk)
            ids = torch.zeros((len(chunk), length), dtype=torch.long)
            mask = torch.zeros_like(ids)
            for r, i in enumerate(chunk):
                ids[r, :len(rows[i])] = torch.tensor(rows[i])
                mask[r, :len(rows[i])] = 1
            h = model.encode(ids, mask, torch.zeros_like(ids))
            m = mask.unsqueeze(-1).float()
            v = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
            out[chunk] = torch.nn.functional.normalize(v, dim=-1).numpy()
    return out


def rrf(lists, depth=DEPTH, k=RANK_CONSTANT):
    scores = {}
    for ranked in lists:
        for rank, d in enumerate(ranked[:depth], start=1):
            scores[d] = scores.get(d, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda x: -x[1])[:depth]


def main():
    torch.set_num_threads(2)
    corpus, queries = load_corpus(), load_queries()
    doc_ids = list(corpus)
    wp = WordPiece(BASE_TOKENIZER)
    docs_path, q_path = os.path.join(WORK, "emb_docs.npy"), os.path.join(WORK, "emb_queries.npy")
    qids = list(queries)
    if not (os.path.exists(docs_path) and os.path.exists(q_path)):
        t = time.time()
        if os.path.exists(EMBED_ONNX):
            import hashlib
            with open(EMBED_ONNX, "rb") as f:
                assert hashlib.sha256(f.read()).hexdigest() == EMBED_SHA256, EMBED_ONNX
            np.save(q_path, embed_ort([queries[q] for q in qids], wp, "queries"))
            np.save(docs_path, embed_ort([embed_text(corpus[d]) for d in doc_ids], wp, "docs"))
            how = "int8 ONNX Runtime"
        else:
            model = load_base(CrossEncoder(), BASE_ONNX).eval()
            np.save(q_path, embed([queries[q] for q in qids], wp, model))
            np.save(docs_path, embed([embed_text(corpus[d]) for d in doc_ids], wp, model))
            how = "fp32 PyTorch"
        print(f"embedded {len(qids)} queries and {len(doc_ids)} documents ({how}) in {time.time() - t:.0f} s")
    emb_docs, emb_q = np.load(docs_path), dict(zip(qids, np.load(q_path)))
    bm25 = BM25(corpus, k1=1.2, b=0.75, stop=False)
    for split in ("train", "test"):
        run = {}
        for qid in sorted(load_qrels(split) if split == "train" else _ids_only(split), key=int):
            lexical = [d for d, _ in bm25.search(queries[qid], DEPTH)]
            sims = emb_docs @ emb_q[qid]
            top = np.argsort(-sims, kind="stable")[:DEPTH]
            dense = [doc_ids[i] for i in top]
            run[qid] = [[d, round(s, 6)] for d, s in rrf([lexical, dense])]
        write_json(os.path.join(WORK, f"hybrid_{split}.json"), run)
        print(f"hybrid_{split}.json: {len(run)} queries, top {DEPTH}")


def _ids_only(split):
    """The query ids of a qrels split without reading its judgments."""
    ids = set()
    with open(os.path.join(DATA, "qrels", split + ".tsv")) as f:
        for i, line in enumerate(f):
            if i:
                ids.add(line.split("\t")[0])
    return ids


if __name__ == "__main__":
    main()
