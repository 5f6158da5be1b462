"""Does a reranked result depend on how the index is split? SciFact test, BM25 first stage, the cross-encoder over
30 candidates in all: 1 shard x window 30 against 3 shards x window 10, in score modes replace and combine. A merge-safe
score mode loses no more from 1 to 3 shards than replace does (whose loss comes from the different candidate sets).

  python3 bench/shard_merge.py --url http://127.0.0.1:9200 --data ../shared/data/beir/scifact --queries 100 \
      --first-stage-scale 20 --out bench/results/scifact-shards
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import beir  # noqa: E402
import evaluate  # noqa: E402
import metrics  # noqa: E402
from osclient import Client  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:9200")
    ap.add_argument("--data", required=True)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--cross-encoder", default="scifact-minilm-l6-ce")
    ap.add_argument("--first-stage-scale", type=float, required=True,
                    help="combine's first_stage_scale for BM25 (choose it on training queries, not on the test set)")
    ap.add_argument("--out", required=True, help="path without extension: writes .json and .md")
    args = ap.parse_args()
    client = Client(args.url)
    corpus, queries, qrels = beir.load(args.data, "test")
    queries = dict(list(queries.items())[:args.queries])
    modes = {"replace": {}, "combine": {"score_mode": "combine", "first_stage_scale": args.first_stage_scale}}
    layouts = {"1 shard x window 30": (1, 30), "3 shards x window 10": (3, 10)}
    runs = {}
    for layout, (shards, window) in layouts.items():
        index = f"bench-scifact-{shards}shards"
        evaluate.index(client, index, corpus, None, shards)
        for mode, options in modes.items():
            ndcg = []
            for qid, q in queries.items():
                body = {"size": 10, "_source": False, "query": {"match": {"all": q}},
                        "rescore": {"window_size": window, "cross_encoder": dict(
                            {"model": args.cross_encoder, "query_text": q, "fields": ["title", "text"], "timeout": "1h"}, **options)}}
                hits = client.call("POST", f"/{index}/_search", body)["hits"]["hits"]
                ndcg.append(metrics.ndcg_at([h["_id"] for h in hits], qrels[qid]))
            runs[f"{layout}, {mode}"] = round(sum(ndcg) / len(ndcg), 4)
            print(f"{layout}, {mode}: nDCG@10 {runs[f'{layout}, {mode}']}", file=sys.stderr)
    loss = {m: round(runs[f"1 shard x window 30, {m}"] - runs[f"3 shards x window 10, {m}"], 4) for m in modes}
    result = {"dataset": "SciFact test", "queries": len(queries), "first_stage": "BM25 (match on title + text)",
              "cross_encoder": args.cross_encoder, "combine": modes["combine"], "ndcg@10": runs,
              "loss_from_1_to_3_shards": loss, "combine_loss_minus_replace_loss": round(loss["combine"] - loss["replace"], 4),
              "machine": evaluate.machine(client)}
    with open(args.out + ".json", "w") as f:
        json.dump(result, f, indent=1)
    lines = [f"# Reranking across shards: SciFact test, first {len(queries)} queries, BM25 first stage, {args.cross_encoder}", "",
             "| layout | replace | combine |", "| --- | --- | --- |"]
    for layout in layouts:
        lines.append(f"| {layout} | {runs[f'{layout}, replace']:.4f} | {runs[f'{layout}, combine']:.4f} |")
    lines += ["", f"Loss from 1 to 3 shards: replace {loss['replace']:+.4f}, combine {loss['combine']:+.4f} "
              f"(combine minus replace: {result['combine_loss_minus_replace_loss']:+.4f}). "
              f"combine: first_stage_weight 1 x s / (s + {args.first_stage_scale}) + rerank_weight 1 x the model's probability.", ""]
    with open(args.out + ".md", "w") as f:
        f.write("\n".join(lines))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
