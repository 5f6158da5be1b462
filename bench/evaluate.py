"""Evaluation and latency harness over a BEIR-format folder, through the real REST API of a running node.

  python3 bench/evaluate.py --data ../shared/data/beir/scifact --name scifact [--url http://127.0.0.1:9200]

Indexes the corpus (title + text, and a vector from the in-node embedding model when --embedding-model is
given), then runs each configuration for every judged query: BM25, k-NN, hybrid RRF, and hybrid RRF (or BM25)
+ cross_encoder with windows N. nDCG@10 comes from the engine's _rank_eval (dcg, normalize=true; computed the same way from _msearch where the node has
no _rank_eval, e.g. Elasticsearch's integration distribution) and is
cross-checked per query by our own computation; Recall@N of each first stage, MRR@10 and latency p50/p95/p99
are computed client-side. Writes bench/results/<name>.json and .md (+ PNG plots when matplotlib imports).
"""
import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402
import metrics  # noqa: E402
import engines  # noqa: E402
from osclient import Client, progress  # noqa: E402

INDEX_PIPELINE = "bench-embeddings"


def index(client, engine, name, corpus, embedding_model, shards, vector_field="embedding"):
    try:
        client.call("DELETE", f"/{name}")
    except Exception:
        pass
    props = {"title": {"type": "text", "copy_to": "all"}, "text": {"type": "text", "copy_to": "all"}, "all": {"type": "text"}}
    settings = {"number_of_shards": shards, "number_of_replicas": 0}
    pipeline = None
    if embedding_model:
        engine.vector_index(settings, props, vector_field, embedding_dimension(client, engine, embedding_model))
        client.call("PUT", f"/_ingest/pipeline/{INDEX_PIPELINE}", {
            "processors": [{"text_vectors": {"model": embedding_model, "fields": ["title", "text"], "target_field": vector_field}}]})
        pipeline = INDEX_PIPELINE
    client.call("PUT", f"/{name}", {"settings": settings, "mappings": {"properties": props}})
    docs = [(did, d) for did, d in corpus.items()]
    t = time.perf_counter()
    client.bulk(name, docs, pipeline=pipeline, batch=64 if embedding_model else 500)
    return time.perf_counter() - t


def embedding_dimension(client, engine, model):
    for node in client.call("GET", engine.plugin + "/models")["nodes"].values():
        for m in node["models"]:
            if m["name"] == model and "dimension" in m:
                return m["dimension"]
    raise SystemExit(f"embedding model [{model}] is not on any node")


def configurations(args, engine):
    """name -> (first stage name, function(query text, size) -> search body)"""
    def bm25(q, n):
        return {"match": {"all": q}}

    def knn(q, n):
        return engine.text_knn("embedding", args.embedding_model, q, n)

    def hybrid(q, n):
        return {"hybrid_rrf": {"queries": [bm25(q, n), knn(q, n)], "rank_constant": 60, "window_size": n}}

    firsts = {"bm25": bm25}
    if args.embedding_model:
        firsts["knn"] = knn
        firsts["hybrid_rrf"] = hybrid
    configs = {name: (name, fn, None) for name, fn in firsts.items()}
    if args.cross_encoder:
        base = "hybrid_rrf" if args.embedding_model else "bm25"
        for n in args.windows:
            configs[f"{base}+cross_encoder@{n}"] = (base, firsts[base], n)
        for n in getattr(args, "bm25_windows", []) if args.embedding_model else []:
            configs[f"bm25+cross_encoder@{n}"] = ("bm25", bm25, n)
    return configs


def first_stage_depth(windows):
    """Candidates each first stage retrieves (k, hybrid window), the same whatever the page size, so that
    a run's top 10 and its top N come from one ranking."""
    return max(list(windows) + [100])


CE_OPTIONS = {}  # extra cross_encoder options from the command line, e.g. max_length
# The rescorer refuses a query_text over half of max_length word-pieces (it never truncates the query): a data set
# with longer queries gives the cross-encoder their first N words, the first stage still gets the whole query.
CE_QUERY_WORDS = 0


def body(fn, q, size, window, cross_encoder, fetch_source=False, depth=200):
    b = {"size": size, "query": fn(q, depth), "_source": fetch_source}
    if window:
        if CE_QUERY_WORDS:
            q = " ".join(q.split()[:CE_QUERY_WORDS])
        b["rescore"] = {"window_size": window, "cross_encoder": dict(
            {"model": cross_encoder, "query_text": q, "fields": ["title", "text"]}, **CE_OPTIONS)}
    return b


def rank_eval(client, engine, index_name, queries, qrels, fn, window, cross_encoder, depth):
    """nDCG@10 by the engine's _rank_eval (dcg, normalize), and each query's top 10 ids from the same searches; where the
    node has no _rank_eval, the same metric computed here from _msearch."""
    if not engine.has_rank_eval:
        return msearch_eval(client, index_name, queries, qrels, fn, window, cross_encoder, depth)
    requests = []
    for qid, q in queries.items():
        ratings = [{"_index": index_name, "_id": d, "rating": g} for d, g in qrels[qid].items()]
        b = body(fn, q, 10, window, cross_encoder, depth=depth)
        b.pop("_source")
        requests.append({"id": qid, "request": b, "ratings": ratings})
    r = client.call("POST", f"/{index_name}/_rank_eval", {"requests": requests, "max_concurrent_searches": 4,
                                                            "metric": {"dcg": {"k": 10, "normalize": True}}}, timeout=7200)
    if r.get("failures"):
        raise RuntimeError(f"_rank_eval failures: {list(r['failures'].items())[:2]}")
    top10 = {qid: [h["hit"]["_id"] for h in d["hits"]] for qid, d in r["details"].items()}
    return r["metric_score"], {qid: d["metric_score"] for qid, d in r["details"].items()}, top10


def msearch_eval(client, index_name, queries, qrels, fn, window, cross_encoder, depth, batch=20):
    """_rank_eval's dcg with normalize (gain 2^label - 1, ideal from the judged documents) over _msearch top 10s."""
    top10 = {}
    qids = list(queries)
    for i in range(0, len(qids), batch):
        lines = []
        for qid in qids[i:i + batch]:
            b = body(fn, queries[qid], 10, window, cross_encoder, depth=depth)
            lines += [json.dumps({"index": index_name}), json.dumps(b)]
        r = client.call("POST", "/_msearch?max_concurrent_searches=4", "\n".join(lines) + "\n", ndjson=True, timeout=7200)
        for qid, resp in zip(qids[i:i + batch], r["responses"]):
            if "error" in resp:
                raise RuntimeError(f"_msearch failure for query {qid}: {resp['error']}")
            top10[qid] = [h["_id"] for h in resp["hits"]["hits"]]
    per_q = {qid: metrics.ndcg_exp_at(top10[qid], qrels[qid]) for qid in qids}
    return mean(per_q.values()), per_q, top10


def fallbacks(client, engine):
    nodes = client.call("GET", engine.plugin + "/stats")["nodes"]
    return sum(n.get("rescore_fallbacks", 0) for n in nodes.values())


def stratum(q):
    n = len(q.split())
    return "short" if n <= 5 else "medium" if n <= 12 else "long"


def run(args):
    client = Client(args.url)
    engine = engines.detect(client)
    # an evaluation must not fall back to the first stage on a busy machine: no rescore timeout, and the
    # node's fallback counter is checked before and after
    CE_OPTIONS["timeout"] = "1h"
    if args.ce_max_length:
        CE_OPTIONS["max_length"] = args.ce_max_length
    for option in args.ce_option:
        key, _, value = option.partition("=")
        CE_OPTIONS[key] = json.loads(value) if value[:1].isdigit() else value
    global CE_QUERY_WORDS
    CE_QUERY_WORDS = args.ce_query_words
    fallbacks_before = fallbacks(client, engine)
    corpus, queries, qrels = beir.load(args.data, args.split)
    if args.max_queries:
        queries = dict(list(queries.items())[:args.max_queries])
    index_name = f"bench-{args.index or args.name}"
    os.makedirs(args.out, exist_ok=True)  # before the run: a missing folder must not lose an hour of results
    out = os.path.join(args.out, args.name)
    indexing_s = None
    if not args.skip_index:
        indexing_s = index(client, engine, index_name, corpus, args.embedding_model, args.shards)
    elif os.path.exists(out + ".json"):
        with open(out + ".json") as f:
            indexing_s = json.load(f).get("indexing_seconds")
    depth = first_stage_depth(args.windows)
    results = {"dataset": args.name, "queries": len(queries), "documents": len(corpus), "shards": args.shards,
               "split": args.split, "engine": engine.name, "machine": machine(client, engine), "indexing_seconds": indexing_s,
               "embedding_model": args.embedding_model, "cross_encoder": args.cross_encoder, "cross_encoder_options": CE_OPTIONS, "cross_encoder_query_words": CE_QUERY_WORDS or None,
               "runs": {}, "per_query": {}}
    for name, (first, fn, window) in configurations(args, engine).items():
        started = time.perf_counter()
        official, official_per_q, top10 = rank_eval(client, engine, index_name, queries, qrels, fn, window, args.cross_encoder, depth)
        per_q = {qid: {"ndcg@10": metrics.ndcg_at(top10[qid], qrels[qid]), "mrr@10": metrics.mrr_at(top10[qid], qrels[qid]),
                       "stratum": stratum(q)} for qid, q in queries.items()}  # trec_eval semantics
        # latency (and Recall@N of first stages) from single searches at concurrency 1; a rescored run times a sample
        timed = list(queries.items())[:args.latency_queries] if window else list(queries.items())
        lat = []
        for i, (qid, q) in enumerate(timed):
            r, ms = client.timed_search(index_name, body(fn, q, 10 if window else depth, window, args.cross_encoder, depth=depth))
            lat.append(ms)
            if not window:
                ranked = [h["_id"] for h in r["hits"]["hits"]]
                for n in sorted(set(args.windows + [100])):
                    per_q[qid][f"recall@{n}"] = metrics.recall_at(ranked, qrels[qid], n)
            progress(name[:12], i + 1, len(timed), started)
        run_summary = {
            "ndcg@10": official,
            "ndcg@10_client": mean(v["ndcg@10"] for v in per_q.values()),
            "mrr@10": mean(v["mrr@10"] for v in per_q.values()),
            "p50_ms": metrics.percentile(lat, 50), "p95_ms": metrics.percentile(lat, 95), "p99_ms": metrics.percentile(lat, 99), "max_ms": max(lat) if lat else 0.0,
            "latency_queries": len(timed), "first_stage": first, "window": window,
            "strata": {s: {"queries": sum(1 for v in per_q.values() if v["stratum"] == s),
                           "ndcg@10": mean(v["ndcg@10"] for v in per_q.values() if v["stratum"] == s)}
                       for s in ("short", "medium", "long")},
        }
        if not window:
            for n in sorted(set(args.windows + [100])):
                run_summary[f"recall@{n}"] = mean(v[f"recall@{n}"] for v in per_q.values())
        results["runs"][name] = run_summary
        results["per_query"][name] = {q: round(official_per_q.get(q, 0.0), 4) for q in per_q}
        print(f"{name:<32} nDCG@10 {official:.4f} (gain = label {run_summary['ndcg@10_client']:.4f})  "
              f"MRR@10 {run_summary['mrr@10']:.4f}  p50 {run_summary['p50_ms']:.0f} ms  p99 {run_summary['p99_ms']:.0f} ms",
              file=sys.stderr)
    results["rescore_fallbacks"] = fallbacks(client, engine) - fallbacks_before
    if results["rescore_fallbacks"]:
        raise SystemExit(f"{results['rescore_fallbacks']} shard rescores fell back to the first stage: results invalid")
    with open(out + ".json", "w") as f:
        json.dump(results, f, indent=1, sort_keys=False)
    with open(out + ".md", "w") as f:
        f.write(report(results))
    plots(results, out)
    print(f"wrote {out}.json and {out}.md", file=sys.stderr)


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def machine(client, engine):
    nodes = client.call("GET", "/_nodes/jvm,os")["nodes"]
    node = next(iter(nodes.values()))
    return {"cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "cpu": cpu_model(), engine.name: engine.version(client), "jvm": node["jvm"]["version"],
            "heap_max_mb": node["jvm"]["mem"]["heap_max_in_bytes"] // 2**20, "os": platform.platform()}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def report(r):
    lines = [f"# {r['dataset']}: {r['queries']} queries, {r['documents']} documents, {r['shards']} shard(s)", "",
             f"Machine: {r['machine']['cpu']}, {r['machine']['cores']} cores, {r['machine']['memory_gb']} GB; "
             f"{engine_label(r)}, JVM {r['machine']['jvm']}, heap {r['machine']['heap_max_mb']} MB.", "",
             f"Embedding model: {r['embedding_model']}; cross-encoder: {r['cross_encoder']}.", "",
             "| run | nDCG@10 (_rank_eval) | nDCG@10 (gain = label) | MRR@10 | Recall@100 | p50 ms | p95 ms | p99 ms | nDCG@10 short / medium / long |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, s in r["runs"].items():
        strata = " / ".join(f"{s['strata'][k]['ndcg@10']:.3f} ({s['strata'][k]['queries']})" for k in ("short", "medium", "long"))
        rec = f"{s['recall@100']:.3f}" if "recall@100" in s else ""
        lines.append(f"| {name} | {s['ndcg@10']:.4f} | {s['ndcg@10_client']:.4f} | {s['mrr@10']:.4f} | {rec} | {s['p50_ms']:.0f} | "
                     f"{tail(s, 'p95_ms', 20)} | {tail(s, 'p99_ms', 100)} | {strata} |")
    lines += ["", "nDCG@10 twice: the engine's `_rank_eval` (dcg, normalize: gain 2^label - 1; on Elasticsearch's integration distribution, which has no rank-eval module, the same formula over `_msearch`) and trec_eval's ndcg_cut.10 formula "
              "(gain = label), computed by bench/metrics.py from the same hits (not by the trec_eval program); they agree on binary "
              "judgments and differ on graded ones (TREC DL). Strata use the gain = label one. A p95 from fewer than 20 timed "
              "searches, or a p99 from fewer than 100, is shown as the maximum (`max N`). Recall@N of first stages over their top N; latency is "
              "client wall time per search at concurrency 1 on 127.0.0.1 (rescored runs: the first `latency_queries` queries). Query strata by words: short <= 5, medium <= 12, long > 12.", ""]
    return "\n".join(lines)


def engine_label(r):
    engine = r.get("engine", "opensearch")
    return f"{'Elasticsearch' if engine == 'elasticsearch' else 'OpenSearch'} {r['machine'][engine]}"


def tail(run, key, needed):
    """A tail percentile, or the maximum (labelled) when too few searches were timed for it to mean anything."""
    timed = run.get("latency_queries") or 0
    if timed >= needed or "max_ms" not in run:
        return f"{run[key]:.0f}"
    return f"max {run['max_ms']:.0f}"


def plots(r, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not importable: no PNG plots (apt-get install python3-matplotlib; run with /usr/bin/python3)", file=sys.stderr)
        return
    # one line per first stage that was reranked, one dashed line per first stage alone, in matching colours
    series = {}
    for s in r["runs"].values():
        if s["window"]:
            series.setdefault(s["first_stage"], []).append(s)
    if not series:
        return
    colours = {}
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for first, runs in series.items():
        runs.sort(key=lambda s: s["window"])
        ns = [s["window"] for s in runs]
        line, = ax[0].plot(ns, [s["ndcg@10"] for s in runs], marker="o", label=f"{first} + cross_encoder")
        colours[first] = line.get_color()
        ax[1].plot(ns, [s["p50_ms"] for s in runs], marker="o", color=colours[first], label=f"{first} + cross_encoder p50")
        ax[1].plot(ns, [s["p99_ms"] for s in runs], marker="o", linestyle=":", color=colours[first], label=f"{first} + cross_encoder p99")
    for name, s in r["runs"].items():
        if not s["window"]:
            ax[0].axhline(s["ndcg@10"], linestyle="--", linewidth=1, color=colours.get(name, ax[0]._get_lines.get_next_color()), label=name)
    ax[0].set_xlabel("rescore window N"); ax[0].set_ylabel("nDCG@10"); ax[0].legend(fontsize=8); ax[0].set_title(r["dataset"])
    ax[1].set_xlabel("rescore window N"); ax[1].set_ylabel("ms per search (concurrency 1)"); ax[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out + ".png", dpi=90)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="BEIR folder")
    p.add_argument("--name", required=True, help="dataset name for the index and result files")
    p.add_argument("--index", default=None, help="reuse the index bench-INDEX of an earlier run (with --skip-index)")
    p.add_argument("--split", default="test")
    p.add_argument("--url", default="http://127.0.0.1:9200")
    p.add_argument("--shards", type=int, default=1)
    p.add_argument("--embedding-model", default=None)
    p.add_argument("--cross-encoder", default=None)
    p.add_argument("--windows", type=int, nargs="+", default=[50, 100, 200])
    p.add_argument("--bm25-windows", type=int, nargs="*", default=[],
                   help="with --embedding-model: also rerank the BM25 first stage at these windows")
    p.add_argument("--ce-max-length", type=int, default=0, help="cross_encoder max_length (default: the model's)")
    p.add_argument("--ce-option", action="append", default=[], help="extra cross_encoder option KEY=VALUE, e.g. score_mode=combine")
    p.add_argument("--ce-query-words", type=int, default=0, help="cross_encoder query_text: the query's first N words")
    p.add_argument("--max-queries", type=int, default=0)
    p.add_argument("--latency-queries", type=int, default=50, help="queries timed one by one for a rescored run")
    p.add_argument("--skip-index", action="store_true")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    run(p.parse_args())


if __name__ == "__main__":
    main()
