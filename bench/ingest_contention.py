"""Reranked search latency alone and while bulk ingest embeds passages through text_vectors, on a running node.

Reproduces the case of the cluster-correctness issue: SciFact test queries, BM25 first stage, cross_encoder over each
shard's top 30, searched by one client, first alone, then while INGESTERS clients send bulks of BULK passages through a
text_vectors pipeline (the DL19 pool's passages, so the node embeds for real). Reports p50/p99 of both phases in the
same run, their ratio, fallbacks (hits carrying _rerank_fallback) and the ingest rate. Bounded in time, loopback only.

  python3 bench/ingest_contention.py --url http://127.0.0.1:9200 --scifact ../shared/data/beir/scifact \
      --passages ../shared/data/beir/msmarco-dl19-pool --out bench/results/ingest-contention.json
"""
import argparse
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import beir  # noqa: E402
from osclient import Client, OpenSearchError  # noqa: E402


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def tail(latencies):
    """Count, p50 and p99, or the maximum when fewer than 100 searches make a p99 meaningless."""
    out = {"searches": len(latencies), "p50_ms": round(statistics.median(latencies), 1)}
    if len(latencies) >= 100:
        out["p99_ms"] = round(percentile(latencies, 99), 1)
    else:
        out["max_ms"] = round(max(latencies), 1)
    return out


def search_loop(client, index, queries, model, seconds, stop=None):
    """Runs reranked searches back to back for `seconds`; returns (latencies ms, fallback hits)."""
    latencies, fallbacks = [], 0
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline and (stop is None or not stop.is_set()):
        q = queries[i % len(queries)]
        i += 1
        body = {"size": 10, "query": {"match": {"text": q}},
                "rescore": {"window_size": 30, "cross_encoder": {"model": model, "query_text": q, "fields": ["title", "text"]}}}
        r, ms = client.timed_search(index, body)
        latencies.append(ms)
        fallbacks += sum(1 for h in r["hits"]["hits"] if "_rerank_fallback" in h.get("fields", {}))
    return latencies, fallbacks


def ingest_loop(client, pipeline, passages, bulk, stop, counts, worker):
    """Bulk-indexes passages through the pipeline until stopped; counts indexed documents."""
    n = 0
    while not stop.is_set():
        lines = []
        for j in range(bulk):
            pid, text = passages[(n + j) % len(passages)]
            lines.append(json.dumps({"index": {"_index": "contention-ingest", "_id": f"w{worker}-{n + j}"}}))
            lines.append(json.dumps({"text": text}))
        try:
            client.call("POST", f"/_bulk?pipeline={pipeline}", "\n".join(lines) + "\n", ndjson=True)
            counts[worker] += bulk
        except OpenSearchError as e:
            print(f"ingest worker {worker}: {e}", file=sys.stderr)
            time.sleep(0.5)
        n += bulk


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:9200")
    ap.add_argument("--scifact", required=True)
    ap.add_argument("--passages", required=True, help="a BEIR folder whose corpus is embedded during phase 2")
    ap.add_argument("--cross-encoder", default="scifact-minilm-l6-ce")
    ap.add_argument("--embedding-model", default="all-minilm-l6-v2")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--ingesters", type=int, default=4)
    ap.add_argument("--bulk", type=int, default=100)
    ap.add_argument("--out")
    args = ap.parse_args()
    client = Client(args.url)

    corpus, queries, _ = beir.load(args.scifact)
    try:
        client.call("GET", "/contention/_count")
    except OpenSearchError:
        client.call("PUT", "/contention", {"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                                           "mappings": {"properties": {"title": {"type": "text"}, "text": {"type": "text"}}}})
        client.bulk("contention", [(d, s) for d, s in corpus.items()], batch=500)
    dim = next(m for m in client.call("GET", "/_plugins/rerank/models")["models"] if m["name"] == args.embedding_model)
    dim = dim.get("dimension") or dim.get("descriptor", {}).get("dimension") or 384
    client.call("PUT", "/_ingest/pipeline/contention-vectors", {"processors": [{"text_vectors": {
        "model": args.embedding_model, "fields": ["text"], "target_field": "vector"}}]})
    try:
        client.call("DELETE", "/contention-ingest")
    except OpenSearchError:
        pass
    client.call("PUT", "/contention-ingest", {"settings": {"number_of_shards": 1, "number_of_replicas": 0, "index.knn": True},
                                              "mappings": {"properties": {"text": {"type": "text"}, "vector": {
                                                  "type": "knn_vector", "dimension": dim,
                                                  "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"}}}}})
    passages = []
    with open(os.path.join(args.passages, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            passages.append((d["_id"], d.get("text") or ""))
            if len(passages) >= 20000:
                break
    qs = list(queries.values())
    search_loop(client, "contention", qs[:3], args.cross_encoder, 5)  # warm-up

    alone, fallbacks_alone = search_loop(client, "contention", qs, args.cross_encoder, args.seconds)
    stop = threading.Event()
    counts = [0] * args.ingesters
    workers = [threading.Thread(target=ingest_loop, args=(client, "contention-vectors", passages, args.bulk, stop, counts, w))
               for w in range(args.ingesters)]
    for w in workers:
        w.start()
    time.sleep(3)  # the bulks are running
    started = time.perf_counter()
    busy, fallbacks_busy = search_loop(client, "contention", qs, args.cross_encoder, args.seconds)
    elapsed = time.perf_counter() - started
    indexed_during = sum(counts)
    stop.set()
    for w in workers:
        w.join()

    result = {
        "setup": {"queries": "SciFact test", "first_stage": "BM25 (match on text)", "window": 30, "cross_encoder": args.cross_encoder,
                  "embedding_model": args.embedding_model, "ingesters": args.ingesters, "bulk": args.bulk, "seconds": args.seconds},
        "alone": dict(tail(alone), fallback_hits=fallbacks_alone),
        "with_ingest": dict(tail(busy), fallback_hits=fallbacks_busy, passages_embedded_per_s=round(indexed_during / elapsed, 1)),
    }
    result["p50_ratio"] = round(result["with_ingest"]["p50_ms"] / result["alone"]["p50_ms"], 2)
    print(json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
