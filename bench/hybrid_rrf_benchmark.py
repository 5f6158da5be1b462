"""Cost of the hybrid_rrf fusion next to its sub-queries, through the REST API of a running node (standard library only).

  python3 bench/hybrid_rrf_benchmark.py --data ../shared/data/beir/scifact --url http://127.0.0.1:9200 [--shards 1]

Indexes a BEIR corpus (title + text, and a vector), then for each query runs, in turn:
  hybrid_rrf { match, knn }  with window_size W (knn k = W),
  the match alone and the knn alone (k = W),
all with size W (the same fetch work per request), and reports the server's "took" and the client's wall time of
hybrid_rrf against the sum of the two sub-queries (the sum pays two requests' fixed costs, hybrid_rrf one). A third,
direct measure comes from the profile API, per shard (without concurrent segment search, by default): the HybridRrfQuery node's time minus its children's (the
sub-queries' weights and scorers) minus the search's rewrite time (k-NN searches in its rewrite, which the profiler
books there) is what the fusion itself adds: the fusion, the tie-break and serving the fused documents.

Vectors: a 64-dimension hashing embedding computed here, offline (each lower-cased word hashed with blake2b to
a dimension and a sign, weighted 1 + log(tf), L2-normalized). It carries no semantics beyond word overlap: it
is for timing a real-sized k-NN list, not for relevance.
"""
import argparse
import hashlib
import json
import math
import os
import platform
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402
from metrics import percentile  # noqa: E402
from osclient import Client, progress  # noqa: E402

WORD = re.compile(r"[a-z0-9]+")


def embed(text, dim):
    counts = {}
    for w in WORD.findall(text.lower()):
        counts[w] = counts.get(w, 0) + 1
    v = [0.0] * dim
    for w, tf in counts.items():
        h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
        v[h % dim] += (1.0 if (h >> 32) & 1 else -1.0) * (1.0 + math.log(tf))
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [round(x / norm, 6) for x in v]


def index(client, name, corpus, shards, dim, concurrent):
    try:
        client.call("DELETE", f"/{name}")
    except Exception:
        pass
    client.call("PUT", f"/{name}", {
        "settings": {"number_of_shards": shards, "number_of_replicas": 0, "index.knn": True,
                     "index.search.concurrent_segment_search.mode": concurrent},
        "mappings": {"properties": {
            "title": {"type": "text", "copy_to": "all"}, "text": {"type": "text", "copy_to": "all"}, "all": {"type": "text"},
            "embedding": {"type": "knn_vector", "dimension": dim,
                          "method": {"name": "hnsw", "engine": "lucene", "space_type": "innerproduct"}}}}})
    docs = [(did, {**d, "embedding": embed(d["title"] + " " + d["text"], dim)}) for did, d in corpus.items()]
    client.bulk(name, docs, batch=500)


def bodies(q, vector, window):
    match = {"match": {"all": q}}
    knn = {"knn": {"embedding": {"vector": vector, "k": window}}}
    return {
        "hybrid_rrf": {"size": window, "_source": False,
                       "query": {"hybrid_rrf": {"queries": [match, knn], "rank_constant": 60, "window_size": window}}},
        "bm25": {"size": window, "_source": False, "query": match},
        "knn": {"size": window, "_source": False, "query": knn},
    }


def own_fusion_micros(profile):
    """Per shard: (the fusion's own time, the sub-queries' time) in microseconds."""
    out = []
    for shard in profile["shards"]:
        for search in shard["searches"]:
            stack = list(search["query"])
            while stack:
                node = stack.pop()
                if node["type"] == "HybridRrfQuery":
                    subs = sum(c["time_in_nanos"] for c in node.get("children", [])) + search["rewrite_time"]
                    out.append(((node["time_in_nanos"] - subs) / 1000, subs / 1000))
                else:
                    stack.extend(node.get("children", []))
    return out


def summary(values):
    return {"mean": statistics.fmean(values), "p50": percentile(values, 50), "p95": percentile(values, 95)}


def run(args):
    client = Client(args.url)
    corpus, queries, _ = beir.load(args.data, args.split)
    queries = dict(list(queries.items())[:args.queries])
    name = f"bench-hybrid-{os.path.basename(os.path.normpath(args.data))}"
    if not args.skip_index:
        index(client, name, corpus, args.shards, args.dim, args.concurrent)
    vectors = {qid: embed(q, args.dim) for qid, q in queries.items()}

    took = {k: [] for k in ("hybrid_rrf", "bm25", "knn")}
    wall = {k: [] for k in took}
    started = time.perf_counter()
    for rep in range(args.repeat + 1):  # the first round warms caches and is not counted
        for i, (qid, q) in enumerate(queries.items()):
            for kind, body in bodies(q, vectors[qid], args.window).items():
                r, ms = client.timed_search(name, body)
                if rep > 0:
                    took[kind].append(r["took"])
                    wall[kind].append(ms)
            progress(f"round {rep}", i + 1, len(queries), started)

    own, children = [], []
    for qid, q in list(queries.items())[:args.profiled]:
        body = bodies(q, vectors[qid], args.window)["hybrid_rrf"]
        body["profile"] = True
        for o, c in own_fusion_micros(client.call("POST", f"/{name}/_search", body)["profile"]):
            own.append(o)
            children.append(c)

    n = len(took["hybrid_rrf"])
    sum_took = [took["bm25"][i] + took["knn"][i] for i in range(n)]
    sum_wall = [wall["bm25"][i] + wall["knn"][i] for i in range(n)]
    result = {
        "data": os.path.basename(os.path.normpath(args.data)), "documents": len(corpus), "queries": len(queries),
        "repeat": args.repeat, "shards": args.shards, "concurrent_segment_search": args.concurrent, "window_size": args.window, "vector": f"hashing embedding, {args.dim} dims",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "took_ms": {k: summary(v) for k, v in took.items()} | {"bm25+knn": summary(sum_took)},
        "wall_ms": {k: summary(v) for k, v in wall.items()} | {"bm25+knn": summary(sum_wall)},
        "profile_per_shard_us": {"fusion_own": summary(own), "sub_queries": summary(children), "shards_profiled": len(own)},
    }
    print(json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
    h, s = result["wall_ms"]["hybrid_rrf"]["mean"], result["wall_ms"]["bm25+knn"]["mean"]
    f = result["profile_per_shard_us"]
    sys.stderr.write(f"\nwall mean: hybrid_rrf {h:.2f} ms vs bm25 + knn alone {s:.2f} ms; profile: fusion's own "
                     f"{f['fusion_own']['p50']:.0f} us (p50) next to {f['sub_queries']['p50']:.0f} us of sub-queries per shard\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="BEIR folder (corpus.jsonl, queries.jsonl, qrels/)")
    p.add_argument("--url", default="http://127.0.0.1:9200")
    p.add_argument("--split", default="test")
    p.add_argument("--shards", type=int, default=1)
    p.add_argument("--window", type=int, default=100)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--profiled", type=int, default=100, help="queries run once more with profile=true")
    p.add_argument("--concurrent", default="none", choices=["none", "auto", "all"],
                   help="index.search.concurrent_segment_search.mode; with slices the profile's child times overlap, "
                        "so the fusion's own time is only meaningful with none")
    p.add_argument("--skip-index", action="store_true")
    p.add_argument("--out", help="also write the JSON here")
    run(p.parse_args())


if __name__ == "__main__":
    main()
