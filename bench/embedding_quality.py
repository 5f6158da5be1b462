"""Retrieval quality of in-node text embeddings on a BEIR set, through the REST API of a running node.

  python3 bench/embedding_quality.py --data ../shared/data/beir/scifact --url http://127.0.0.1:9280 \
      [--model all-minilm-l6-v2] [--out bench/results/embedding-scifact.json]

Indexes the corpus through a text_vectors ingest pipeline (title + text), then runs every test query as
  bm25        multi_match on title, text
  text_knn    the query text alone, k = 100
  hybrid_rrf  {multi_match, text_knn} fused per shard (rank_constant 60, window 100), written in the DSL
  pipeline    the plain multi_match sent to the index, whose default search pipeline (text_hybrid_rerank, without a
              rerank: no real cross-encoder is available here) rewrites it into the hybrid_rrf above
and reports nDCG@10 and recall@100 (trec_eval semantics, bench/metrics.py). Standard library only.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402
from metrics import ndcg_at, recall_at  # noqa: E402
from osclient import Client  # noqa: E402

INDEX = "bench-embedding-quality"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--url", default="http://127.0.0.1:9280")
    ap.add_argument("--model", default="all-minilm-l6-v2")
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--out")
    a = ap.parse_args()
    c = Client(a.url, timeout=900)
    corpus, queries, qrels = beir.load(a.data)

    c.call("PUT", "/_ingest/pipeline/bench-text-vectors", {"processors": [{"text_vectors": {
        "model": a.model, "fields": ["title", "text"], "target_field": "vec"}}]})
    try:
        c.call("DELETE", f"/{INDEX}")
    except Exception:
        pass
    c.call("PUT", f"/{INDEX}", {
        "settings": {"number_of_shards": a.shards, "number_of_replicas": 0, "index.knn": True,
                     "default_pipeline": "bench-text-vectors", "refresh_interval": "-1"},
        "mappings": {"properties": {"title": {"type": "text"}, "text": {"type": "text"}, "vec": {
            "type": "knn_vector", "dimension": 384, "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"}}}}})
    started = time.time()
    c.bulk(INDEX, list(corpus.items()), batch=100, label="embedding + indexing")
    ingest_s = time.time() - started
    c.call("POST", f"/{INDEX}/_forcemerge?max_num_segments=1")

    def text(q):
        return {"multi_match": {"query": q, "fields": ["title", "text"]}}

    def knn(q):
        return {"text_knn": {"field": "vec", "query_text": q, "model": a.model, "k": 100}}

    runs = {
        "bm25": lambda q: {"size": 100, "_source": False, "query": text(q)},
        "text_knn": lambda q: {"size": 100, "_source": False, "query": knn(q)},
        "hybrid_rrf": lambda q: {"size": 100, "_source": False, "query": {"hybrid_rrf": {
            "queries": [text(q), knn(q)], "rank_constant": 60, "window_size": 100}}},
    }
    results = {}
    for name, body in runs.items():
        results[name] = evaluate(c, INDEX, queries, qrels, body)

    c.call("PUT", "/_search/pipeline/bench-text-hybrid", {"request_processors": [{"text_hybrid_rerank": {
        "model": a.model, "vector_field": "vec", "k": 100, "hybrid": {"rank_constant": 60, "window_size": 100}}}]})
    c.call("PUT", f"/{INDEX}/_settings", {"index.search.default_pipeline": "bench-text-hybrid"})
    results["pipeline"] = evaluate(c, INDEX, queries, qrels, runs["bm25"])
    c.call("PUT", f"/{INDEX}/_settings", {"index.search.default_pipeline": None})

    out = {"data": os.path.basename(a.data.rstrip("/")), "documents": len(corpus), "queries": len(queries), "model": a.model,
           "shards": a.shards, "ingest_seconds": round(ingest_s, 1), "ingest_docs_per_s": round(len(corpus) / ingest_s, 1),
           "machine": {"cpus": os.cpu_count(), "load_average_1m_after": round(os.getloadavg()[0], 1)}, "results": results}
    print(json.dumps(out, indent=1))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


def evaluate(c, index, queries, qrels, body):
    ndcg, recall, took = [], [], []
    for qid, q in queries.items():
        r = c.call("POST", f"/{index}/_search", body(q))
        ranked = [h["_id"] for h in r["hits"]["hits"]]
        ndcg.append(ndcg_at(ranked, qrels[qid], 10))
        recall.append(recall_at(ranked, qrels[qid], 100))
        took.append(r["took"])
    took.sort()
    return {"ndcg@10": round(sum(ndcg) / len(ndcg), 4), "recall@100": round(sum(recall) / len(recall), 4),
            "took_ms_p50": took[len(took) // 2]}


if __name__ == "__main__":
    main()
