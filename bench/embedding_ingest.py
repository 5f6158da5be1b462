"""Ingest and query throughput of in-node embeddings on a running node (scripts/node.sh with the test models).

Indexes the first N documents of a BEIR corpus through a text_vectors ingest pipeline in bulks, then runs
text_knn searches for the first Q queries (each text once, so the query vector cache does not help), and
prints/writes the numbers. Standard library only.

  python3 bench/embedding_ingest.py --url http://127.0.0.1:9280 --corpus ../shared/data/beir/msmarco-dl19-pool \
      --docs 1000 --bulk 100 --batch-size 1 --out bench/results/embedding-ingest.json
"""
import argparse
import os
import json
import time
import urllib.request


def call(url, method, path, body=None, ndjson=False):
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method,
                                 headers={"Content-Type": "application/x-ndjson" if ndjson else "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


def stats(url):
    """The node counters of GET _plugins/rerank/stats, summed over the nodes."""
    out = {}
    for node in call(url, "GET", "/_plugins/rerank/stats")["nodes"].values():
        for k, v in node.items():
            if isinstance(v, (int, float)):
                out[k] = out.get(k, 0) + v
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:9280")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--model", default="all-minilm-l6-v2")
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--bulk", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=1, help="plugins.shard_rerank.embedding.batch_size (texts per model run)")
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--out")
    a = ap.parse_args()

    docs = []
    with open(a.corpus + "/corpus.jsonl") as f:
        for line in f:
            docs.append(json.loads(line))
            if len(docs) == a.docs:
                break
    queries = []
    with open(a.corpus + "/queries.jsonl") as f:
        for line in f:
            queries.append(json.loads(line)["text"])
            if len(queries) == a.queries:
                break

    call(a.url, "PUT", "/_cluster/settings", {"transient": {"plugins.shard_rerank.embedding.batch_size": a.batch_size}})
    call(a.url, "PUT", "/_ingest/pipeline/bench-vectors", {"processors": [{"text_vectors": {
        "model": a.model, "fields": ["title", "text"], "target_field": "vec", "batch_size": 16}}]})
    try:
        call(a.url, "DELETE", "/bench-embed")
    except Exception:
        pass
    call(a.url, "PUT", "/bench-embed", {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, "index.knn": True, "default_pipeline": "bench-vectors",
                     "refresh_interval": "-1"},
        "mappings": {"properties": {"title": {"type": "text"}, "text": {"type": "text"}, "vec": {
            "type": "knn_vector", "dimension": 384, "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"}}}}})
    before = stats(a.url)
    started = time.time()
    errors = 0
    for i in range(0, len(docs), a.bulk):
        lines = []
        for d in docs[i:i + a.bulk]:
            lines.append(json.dumps({"index": {"_index": "bench-embed", "_id": d["_id"]}}))
            lines.append(json.dumps({"title": d.get("title", ""), "text": d["text"]}))
        r = call(a.url, "POST", "/_bulk", "\n".join(lines) + "\n", ndjson=True)
        errors += sum(1 for it in r["items"] if "error" in it["index"])
    ingest_s = time.time() - started
    after = stats(a.url)
    call(a.url, "POST", "/bench-embed/_refresh")

    latencies = []
    for q in queries:
        t = time.time()
        call(a.url, "POST", "/bench-embed/_search", {"size": 10, "_source": False, "query": {"text_knn": {
            "field": "vec", "query_text": q, "model": a.model, "k": 10}}})
        latencies.append((time.time() - t) * 1000)
    latencies.sort()
    texts = after["embedded_texts"] - before["embedded_texts"]
    tokens = after["embedding_tokens"] - before["embedding_tokens"]
    result = {
        "corpus": a.corpus.rstrip("/").split("/")[-1], "model": a.model, "docs": len(docs), "bulk": a.bulk,
        "embedding_batch_size": a.batch_size, "bulk_errors": errors,
        "ingest_seconds": round(ingest_s, 2), "ingest_docs_per_s": round(len(docs) / ingest_s, 1),
        "model_millis": after["embedding_millis"] - before["embedding_millis"],
        "model_docs_per_s": round(texts / max(after["embedding_millis"] - before["embedding_millis"], 1) * 1000, 1),
        "tokens_per_doc": round(tokens / max(texts, 1), 1),
        "query_ms_p50": round(latencies[len(latencies) // 2], 1), "query_ms_p95": round(latencies[int(len(latencies) * 0.95)], 1),
        "cpu": "2 cores shared with other jobs", "load_average_1m_after": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result))
    if a.out:
        try:
            with open(a.out) as f:
                runs = json.load(f)
        except (OSError, ValueError):
            runs = []
        runs.append(result)
        with open(a.out, "w") as f:
            json.dump(runs, f, indent=1)
            f.write("\n")
    call(a.url, "DELETE", "/bench-embed")


if __name__ == "__main__":
    main()
