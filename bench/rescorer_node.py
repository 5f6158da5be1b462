"""The rescorer's cost through a real node of either edition, on the pairs RescorerBenchmark scores in process.

  python3 bench/rescorer_node.py --url http://127.0.0.1:9620 --data ../shared/data/beir/msmarco-dl19-pool \
      --run ../shared/data/beir/msmarco-dl19-pool/runs/BM25.top100.trec --queries 5 --reps 3 \
      --model scifact-minilm-l6-ce > out.json

For the first --queries queries of a TREC run file it takes each query's top 100 document ids, indexes just those
documents (title + text, the mapping of evaluate.py) into a 1-shard index, then sends for each query, --reps times
after one unmeasured warm-up pass,

  {"size": 100, "query": {"ids": {"values": [the 100 ids]}},
   "rescore": {"window_size": 100, "cross_encoder": {"model": M, "query_text": q, "fields": ["title", "text"],
                                                     "batch_size": 8, "max_chunks": 1, "timeout": "1h"}}}

and records per search the server's `took`, the client's wall time, and the deltas of the plugin's per-node counters
(GET <plugin>/stats: nodes.*.inference_millis, pairs, chunks, batches, tokens, padded_tokens) and of the node
process's CPU time (/proc/<pid>/stat of a local node, pid from GET _nodes/_local/process). `inference_millis` is the wall time of the core's
CrossEncoder.score (tokenize + plan + run + pool), the span RescorerBenchmark times as "plugin"; `took` adds the
search around it (ids query, reading the 100 texts from _source, fetch); the wall time adds HTTP and JSON.
max_chunks 1 (one window per document, as RescorerBenchmark scores) keeps the rows identical to the in-process run;
--max-chunks 0 sends the node's default (8) instead.

With --inprocess the same process also starts bench/java/.../RescorerSidecar (RescorerBenchmark's two paths, one
query at a time: `plugin` = CrossEncoder.score, `bare` = only OrtSession.run over the same length-sorted batches, 2
threads) and interleaves it with the node per query: for each query the node search, the in-process plugin path and
bare ONNX Runtime run back to back (the order rotated each repetition), so that all three meet the same moment's
load on a shared machine. It checks that the node and the sidecar made the same rows, batches and padded tokens.
Needs `bench/rescorer-benchmark.sh --compile-only` first (or --classpath).

Per repetition the per-query values are summed; the report gives ms per 100 pairs for the median repetition
(`median`, the headline) and the fastest one (`best`); ratios are taken within each repetition, then the median.
Standard library only; prints JSON to stdout.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402
import engines  # noqa: E402
from osclient import Client  # noqa: E402

COUNTERS = ("inference_millis", "pairs", "chunks", "batches", "tokens", "padded_tokens", "rescore_fallbacks",
            "rescore_failures")


def read_run(path, n, depth):
    """The first n queries of a TREC run file (file order), each with its top `depth` document ids in rank order."""
    ranked = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) < 4:
                continue
            if p[0] not in ranked:
                if len(ranked) == n:
                    continue
                ranked[p[0]] = []
            ranked[p[0]].append((int(p[3]), p[2]))
    return {q: [d for _, d in sorted(docs)[:depth]] for q, docs in ranked.items()}


def load_queries(folder):
    """Every query of queries.jsonl (beir.load keeps only judged ones; a run may hold others)."""
    out = {}
    with open(os.path.join(folder, "queries.jsonl"), encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            out[str(q["_id"])] = q["text"]
    return out


def node_counters(client, engine):
    """Plugin counters and process CPU ms of the (single) node."""
    stats = client.call("GET", engine.plugin + "/stats")["nodes"]
    if len(stats) != 1:
        raise SystemExit(f"expected one node, got {len(stats)}")
    node = next(iter(stats.values()))
    missing = [c for c in COUNTERS if c not in node]
    if missing:
        raise SystemExit(f"stats have no {missing}: {sorted(node)}")
    out = {c: node[c] for c in COUNTERS}
    out["cpu_millis"] = process_cpu_millis(client)
    return out


_node_pid = {}


def process_cpu_millis(client):
    """CPU time of the node's process (all its threads) from /proc, when the node runs on this machine; else 0. Not from
    _nodes/stats/process, which both engines cache for a second (monitor.process.refresh_interval): too coarse per search."""
    if client.url not in _node_pid:
        node = next(iter(client.call("GET", "/_nodes/_local/process")["nodes"].values()))
        pid = node.get("process", {}).get("id")
        _node_pid[client.url] = pid if pid and client.url.split("//")[-1].startswith(("127.0.0.1", "localhost")) else None
    pid = _node_pid[client.url]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return 0
    return (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")  # utime + stime


def search_body(ids, query_text, model, batch_size, max_chunks, window):
    ce = {"model": model, "query_text": query_text, "fields": ["title", "text"], "batch_size": batch_size,
          "timeout": "1h"}
    if max_chunks:
        ce["max_chunks"] = max_chunks
    return {"size": len(ids), "query": {"ids": {"values": ids}},
            "rescore": {"window_size": window, "cross_encoder": ce}}


def one_search(client, engine, index, body):
    before = node_counters(client, engine)
    r, wall = client.timed_search(index, body)
    after = node_counters(client, engine)
    delta = {k: after[k] - before[k] for k in after}
    hits = r["hits"]["hits"]
    if r.get("timed_out") or r["_shards"].get("failed") or delta["rescore_fallbacks"] or delta["rescore_failures"]:
        raise SystemExit(f"search timed out or failed: {json.dumps(r)[:500]} {delta}")
    if len(hits) != len(body["query"]["ids"]["values"]) or delta["pairs"] != len(hits):
        raise SystemExit(f"expected {len(body['query']['ids']['values'])} hits and pairs, got {len(hits)} hits, "
                         f"{delta['pairs']} pairs")
    return {"took_ms": r["took"], "wall_ms": round(wall, 3), **{k: v for k, v in delta.items()
                                                                 if not k.startswith("rescore_")}}


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Sidecar:
    """RescorerSidecar in a JVM of its own, driven over stdin/stdout."""

    def __init__(self, java, classpath, model_dir, data, run, queries, threads, batch):
        cmd = [java, "-Xmx2g", "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
               "-DDJL_CACHE_DIR=" + os.path.join(ROOT, "target", "djl-cache"), "-cp", classpath,
               "org.shardrerank.inference.RescorerSidecar", model_dir, data, run, str(queries), str(threads), str(batch)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("RescorerSidecar did not start")
        self.hello = json.loads(line)

    def score(self, mode, qid):
        self.proc.stdin.write(f"{mode} {qid}\n")
        self.proc.stdin.flush()
        parts = self.proc.stdout.readline().split()
        if not parts or parts[0] == "error":
            raise SystemExit(f"RescorerSidecar: {' '.join(parts)}")
        nanos, rows, batches, tokens, padded = map(int, parts)
        return {"ms": nanos / 1e6, "chunks": rows, "batches": batches, "tokens": tokens, "padded_tokens": padded}

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def default_java():
    """The JDK Maven runs on, as bench/rescorer-benchmark.sh picks it."""
    v = subprocess.run([os.path.join(ROOT, "mvnw"), "-v"], capture_output=True, text=True, cwd=ROOT).stdout
    for line in v.splitlines():
        if "runtime: " in line:
            return os.path.join(re.sub(r"\x1b\[[0-9;]*m", "", line.split("runtime: ", 1)[1]).strip(), "bin", "java")
    return "java"


def default_classpath():
    dep = os.path.join(ROOT, "target", "bench.classpath")
    if not os.path.exists(dep):
        raise SystemExit("no target/bench.classpath: run bench/rescorer-benchmark.sh --compile-only first")
    with open(dep) as f:
        return ":".join([os.path.join(ROOT, "target/core/classes"), os.path.join(ROOT, "target/core/test-classes"),
                         f.read().strip()])


def per100(rep, key):
    return round(rep[key] * 100.0 / rep["pairs"], 3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:9620")
    ap.add_argument("--data", required=True, help="BEIR folder (corpus.jsonl, queries.jsonl, qrels/)")
    ap.add_argument("--run", required=True, help="TREC run file")
    ap.add_argument("--queries", type=int, default=5)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured passes over all queries first")
    ap.add_argument("--depth", type=int, default=100, help="documents per query (window and size)")
    ap.add_argument("--model", default="scifact-minilm-l6-ce")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-chunks", type=int, default=1, help="0: the node's default")
    ap.add_argument("--index", default="rescorer-node")
    ap.add_argument("--inprocess", metavar="MODEL_DIR",
                    help="also run RescorerSidecar on this model folder, interleaved with the node per query")
    ap.add_argument("--threads", type=int, default=2, help="the sidecar's inference threads (the node's pool: one per core)")
    ap.add_argument("--java", help="java for the sidecar [the JDK ./mvnw runs on]")
    ap.add_argument("--classpath", help="classpath for the sidecar [target/core/{classes,test-classes} + target/bench.classpath]")
    args = ap.parse_args()

    client = Client(args.url, timeout=7200)
    engine = engines.detect(client)
    ranked = read_run(args.run, args.queries, args.depth)
    texts = load_queries(args.data)
    corpus, _, _ = beir.load(args.data)
    wanted = {d for ids in ranked.values() for d in ids}
    missing = wanted - corpus.keys()
    if missing:
        raise SystemExit(f"{len(missing)} run documents are not in the corpus, e.g. {sorted(missing)[:3]}")
    work = [(qid, texts[qid], ids) for qid, ids in ranked.items()]

    try:
        client.call("DELETE", f"/{args.index}")
    except Exception:
        pass
    props = {"title": {"type": "text", "copy_to": "all"}, "text": {"type": "text", "copy_to": "all"}, "all": {"type": "text"}}
    client.call("PUT", f"/{args.index}", {"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                                          "mappings": {"properties": props}})
    client.bulk(args.index, [(d, corpus[d]) for d in sorted(wanted)], batch=500)
    client.call("POST", f"/{args.index}/_forcemerge?max_num_segments=1")

    sidecar = None
    if args.inprocess:
        sidecar = Sidecar(args.java or default_java(), args.classpath or default_classpath(), args.inprocess, args.data,
                          args.run, args.queries, args.threads, args.batch_size)
        expected = {qid: len(ids) for qid, ids, in ((w[0], w[2]) for w in work)}
        if sidecar.hello["queries"] != expected:
            raise SystemExit(f"the sidecar's queries {sidecar.hello['queries']} differ from the node's {expected}")
    modes = ["node", "plugin", "bare"] if sidecar else ["node"]

    def measure(mode, qid, q, ids):
        if mode == "node":
            return one_search(client, engine, args.index,
                              search_body(ids, q, args.model, args.batch_size, args.max_chunks, args.depth))
        return sidecar.score(mode, qid)

    load_start = os.getloadavg()
    for _ in range(args.warmup):
        for qid, q, ids in work:
            for mode in modes:
                measure(mode, qid, q, ids)
    searches, reps = [], []
    for rep in range(args.reps):
        total = {}
        order = modes[rep % len(modes):] + modes[:rep % len(modes)]
        for qid, q, ids in work:
            row = {"rep": rep, "query": qid, "order": order}
            for mode in order:
                row[mode] = measure(mode, qid, q, ids)
            if sidecar:
                same = {k: (row["node"][k], row["plugin"][k], row["bare"][k])
                        for k in ("chunks", "batches", "tokens", "padded_tokens")}
                if any(len(set(v)) != 1 for v in same.values()):
                    raise SystemExit(f"query {qid}: node, plugin and bare rows differ: {same}")
            searches.append(row)
            for mode in order:
                for k, v in row[mode].items():
                    total[f"{mode}.{k}"] = total.get(f"{mode}.{k}", 0) + v
            sys.stderr.write(f"\r{engine.name} rep {rep + 1}/{args.reps} query {qid}: took {row['node']['took_ms']} ms, "
                             f"inference {row['node']['inference_millis']} ms"
                             + (f", plugin {row['plugin']['ms']:.0f} ms, bare {row['bare']['ms']:.0f} ms" if sidecar else "")
                             + "   ")
        reps.append({k: round(v, 3) for k, v in total.items()})
    sys.stderr.write("\n")
    load_end = os.getloadavg()
    if sidecar:
        sidecar.close()

    keys = {"took": "node.took_ms", "wall": "node.wall_ms", "inference": "node.inference_millis",
            "node_cpu": "node.cpu_millis"}
    if sidecar:
        keys.update({"inprocess_plugin": "plugin.ms", "inprocess_bare": "bare.ms"})
    per_rep = [{name: round(r[k] * 100.0 / r["node.pairs"], 3) for name, k in keys.items()} for r in reps]
    median = {name: round(statistics.median(p[name] for p in per_rep), 3) for name in keys}
    best = {name: min(p[name] for p in per_rep) for name in keys}
    ratios = None
    if sidecar:
        pairs = {"node_took_over_bare": ("took", "inprocess_bare"), "node_wall_over_bare": ("wall", "inprocess_bare"),
                 "node_inference_over_bare": ("inference", "inprocess_bare"),
                 "inprocess_plugin_over_bare": ("inprocess_plugin", "inprocess_bare"),
                 "node_inference_over_inprocess_plugin": ("inference", "inprocess_plugin"),
                 "node_took_over_inprocess_plugin": ("took", "inprocess_plugin")}
        # the same figure per search: node, plugin and bare of one query ran back to back, seconds apart
        field = {"took": ("node", "took_ms"), "wall": ("node", "wall_ms"), "inference": ("node", "inference_millis"),
                 "inprocess_plugin": ("plugin", "ms"), "inprocess_bare": ("bare", "ms")}

        def value(row, name):
            mode, k = field[name]
            return row[mode][k]
        ratios = {name: {"per_rep": [round(p[a] / p[b], 3) for p in per_rep],
                         "median_of_reps": round(statistics.median(p[a] / p[b] for p in per_rep), 3),
                         "median_of_searches": round(statistics.median(value(r, a) / value(r, b) for r in searches), 3)}
                  for name, (a, b) in pairs.items()}
    cluster = client.call("GET", engine.plugin + "/stats").get("cluster_name")  # the ES integ zip has no GET /
    out = {
        "engine": engine.name,
        "engine_version": engine.version(client),
        "node_jvm": next(iter(client.call("GET", "/_nodes/_local/jvm")["nodes"].values()))["jvm"]["version"],
        "url": args.url,
        "data": os.path.basename(os.path.normpath(args.data)),
        "run": os.path.basename(args.run),
        "model": args.model,
        "queries": len(work),
        "reps": args.reps,
        "warmup_passes": args.warmup,
        "pairs_per_rep": reps[0]["node.pairs"],
        "chunks_per_rep": reps[0]["node.chunks"],
        "batches_per_rep": reps[0]["node.batches"],
        "padding_overhead": round(reps[0]["node.padded_tokens"] / reps[0]["node.tokens"], 3),
        "interleaved_inprocess": (dict(sidecar.hello, model_dir=args.inprocess, modes=modes,
                                       checked="node, plugin and bare made the same rows, batches, tokens and padded "
                                               "tokens for every query") if sidecar else None),
        "request": search_body(["..."], "...", args.model, args.batch_size, args.max_chunks, args.depth),
        # ms per 100 pairs: took = the server's search time, wall = the client's, inference = the plugin's
        # inference_millis (CrossEncoder.score), node_cpu = the node process's CPU time (all its threads)
        "ms_per_100_pairs_median_rep": median,
        "ms_per_100_pairs_best_rep": best,
        "ms_per_100_pairs_per_rep": per_rep,
        "ratios": ratios,
        "search_overhead_median": {
            "took_over_inference": round(median["took"] / median["inference"], 3),
            "wall_over_inference": round(median["wall"] / median["inference"], 3),
            "took_minus_inference_ms_per_100_pairs": round(median["took"] - median["inference"], 3),
        },
        "reps_totals": reps,
        "searches": searches,
        "loadavg_start": [round(x, 2) for x in load_start],
        "loadavg_end": [round(x, 2) for x in load_end],
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "cluster": cluster,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
