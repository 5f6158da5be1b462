"""End-to-end search latency of each configuration at concurrency 1, 2 and 4: a bounded load loop against a
running node on 127.0.0.1 (each client sends the judged queries in turn for --seconds, then stops).

  python3 bench/latency.py --name scifact --data ../shared/data/beir/scifact --embedding-model all-minilm-l6-v2 \
      --cross-encoder scifact-minilm-l6-ce [--seconds 20]

Uses the index bench/evaluate.py built (bench-<name>); writes bench/results/<name>-latency.json.
"""
import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402
import evaluate  # noqa: E402
import metrics  # noqa: E402
from osclient import Client, OpenSearchError  # noqa: E402


def load(client, index, bodies, concurrency, seconds):
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset):
        i = offset
        while time.perf_counter() < deadline:
            try:
                _, ms = client.timed_search(index, bodies[i % len(bodies)])
                with lock:
                    latencies.append(ms)
            except OpenSearchError as e:
                with lock:
                    errors.append(e.status)
            i += concurrency

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"searches": len(latencies), "errors": len(errors), "qps": round(len(latencies) / wall, 2),
            "p50_ms": round(metrics.percentile(latencies, 50), 1), "p95_ms": round(metrics.percentile(latencies, 95), 1),
            "p99_ms": round(metrics.percentile(latencies, 99), 1),
            # with fewer than 100 searches the p99 is the maximum: say so rather than print a tail that is not there
            "p99_is_max": len(latencies) < 100}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--url", default="http://127.0.0.1:9200")
    p.add_argument("--embedding-model", default=None)
    p.add_argument("--cross-encoder", default=None)
    p.add_argument("--windows", type=int, nargs="+", default=[50, 100, 200])
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    args = p.parse_args()
    client = Client(args.url)
    _, queries, _ = beir.load(args.data)
    out = {"dataset": args.name, "seconds_per_point": args.seconds, "machine": evaluate.machine(client), "runs": {}}
    for name, (_, fn, window) in evaluate.configurations(args).items():
        bodies = [evaluate.body(fn, q, 10, window, args.cross_encoder, depth=evaluate.first_stage_depth(args.windows)) for q in queries.values()]
        out["runs"][name] = {}
        for c in args.concurrency:
            r = load(client, f"bench-{args.name}", bodies, c, args.seconds)
            out["runs"][name][f"concurrency_{c}"] = r
            print(f"{name:<32} c={c}  {r['qps']:>6} q/s  p50 {r['p50_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  "
                  f"p99 {r['p99_ms']:>7} ms  errors {r['errors']}", file=sys.stderr)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", f"{args.name}-latency.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
