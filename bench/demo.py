"""The demo: index a BEIR-format folder into a running node (embedding it in the node), then show for a few
judged queries the top 5 of BM25, of the hybrid RRF query, and of hybrid RRF + cross_encoder side by side.

  python3 bench/demo.py --data bench/data/scifact-sample --embedding-model all-minilm-l6-v2 \
      --cross-encoder scifact-minilm-l6-ce [--queries 3] [--url http://127.0.0.1:9200]
"""
import argparse
import os
import shutil
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beir  # noqa: E402
import engines  # noqa: E402
import evaluate  # noqa: E402
import metrics  # noqa: E402
from osclient import Client  # noqa: E402

INDEX = "demo"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--url", default="http://127.0.0.1:9200")
    p.add_argument("--embedding-model", required=True)
    p.add_argument("--cross-encoder", required=True)
    p.add_argument("--queries", type=int, default=3)
    p.add_argument("--window", type=int, default=50)
    p.add_argument("--shards", type=int, default=2)
    args = p.parse_args()

    client = Client(args.url)
    engine = engines.detect(client)
    corpus, queries, qrels = beir.load(args.data)
    print(f"{len(corpus)} documents, {len(queries)} judged queries from {args.data}", file=sys.stderr)
    seconds = evaluate.index(client, engine, INDEX, corpus, args.embedding_model, args.shards)
    print(f"{engine.name} {engine.version(client)}: indexed with in-node embeddings ({args.embedding_model}) in {seconds:.1f} s",
          file=sys.stderr)

    cfg = argparse.Namespace(embedding_model=args.embedding_model, cross_encoder=args.cross_encoder, windows=[args.window])
    configs = evaluate.configurations(cfg, engine)
    shown = {"BM25": configs["bm25"], "hybrid RRF": configs["hybrid_rrf"],
             f"hybrid RRF + cross_encoder@{args.window}": configs[f"hybrid_rrf+cross_encoder@{args.window}"]}
    width = max(60, shutil.get_terminal_size((180, 20)).columns)
    col = (width - 4) // 3
    totals = {name: [] for name in shown}
    for qid, q in list(queries.items()):
        tops = {}
        for name, (_, fn, window) in shown.items():
            r, ms = client.timed_search(INDEX, evaluate.body(fn, q, 10, window, args.cross_encoder, fetch_source=["title"], depth=evaluate.first_stage_depth([args.window])))
            hits = r["hits"]["hits"]
            totals[name].append(metrics.ndcg_at([h["_id"] for h in hits], qrels[qid]))
            tops[name] = (hits[:5], ms)
        if len(totals["BM25"]) > args.queries:
            continue
        print("\n" + "=" * width)
        print(textwrap.shorten(f"query {qid}: {q}", width))
        print("-" * width)
        print(" | ".join(f"{name} ({tops[name][1]:.0f} ms)"[:col].ljust(col) for name in shown))
        for i in range(5):
            cells = []
            for name in shown:
                hits = tops[name][0]
                if i < len(hits):
                    mark = "*" if qrels[qid].get(hits[i]["_id"], 0) > 0 else " "
                    cells.append(textwrap.shorten(f"{mark}{i + 1}. {hits[i]['_source'].get('title', '')}", col).ljust(col))
                else:
                    cells.append(" " * col)
            print(" | ".join(cells))
    print("\n(* = judged relevant)")
    print(f"\nnDCG@10 over all {len(queries)} judged queries of this sample:")
    for name, values in totals.items():
        print(f"  {name:<40} {sum(values) / len(values):.3f}")


if __name__ == "__main__":
    main()
