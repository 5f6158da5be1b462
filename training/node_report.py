"""The fine-tuning report's before/after, measured through the plugin on a running node (either engine).

finetune.py calls measure() when given --node URL: the written model folder (and the base, when it is a model folder
with a trained head) is installed into the node's models folder (--node-models DIR, on this machine) or expected to
be there already, loaded through the plugin's models API, and the held-out queries are searched with a BM25 first
stage (top `depth`) and the `cross_encoder` rescorer with each model. nDCG@10 uses the same gain (= label) as the
offline figures. Without --node-index the corpus goes into a fresh index (title and text, copied into `all` for BM25)
that is deleted afterwards; with it, an existing index whose documents carry the corpus ids and `title`/`text`
fields (--node-fields) is searched as it is."""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))

from engines import detect  # noqa: E402
from metrics import ndcg_at  # noqa: E402
from osclient import Client, OpenSearchError  # noqa: E402

MAX_CORPUS = 200_000  # a bigger collection belongs in the user's own index (--node-index)


def install(folder, models_dir):
    """Copies a model folder into the node's models folder under its own name (replacing an older copy)."""
    target = os.path.join(models_dir, os.path.basename(folder.rstrip("/")))
    if os.path.abspath(target) != os.path.abspath(folder):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target)
        os.chmod(target, 0o755)
        for f in os.listdir(target):
            os.chmod(os.path.join(target, f), 0o644)


def load(client, engine, name):
    """(Re)loads `name` on every node so a folder copied over an older one takes effect; a clear error if it is absent."""
    try:
        client.call("POST", f"{engine.plugin}/models/{name}/_reload")
    except OpenSearchError as e:
        raise SystemExit(f"the node at {client.url} could not load model {name!r} (copy its folder into the node's "
                         f"models folder or pass --node-models): {e}")


def index_corpus(client, index, corpus, doc_ids):
    if len(doc_ids) > MAX_CORPUS:
        raise SystemExit(f"{len(doc_ids)} documents: index them yourself and pass --node-index (limit {MAX_CORPUS})")
    try:
        client.call("DELETE", f"/{index}")
    except OpenSearchError:
        pass
    client.call("PUT", f"/{index}", {
        "settings": {"number_of_shards": 2, "number_of_replicas": 0},
        "mappings": {"properties": {"title": {"type": "text", "copy_to": "all"},
                                    "text": {"type": "text", "copy_to": "all"}, "all": {"type": "text"}}}})
    client.bulk(index, [(d, corpus[d]) for d in doc_ids], label="node report: indexing")


def search(client, index, text, match_fields, ce_fields, depth, model):
    # dfs: BM25 statistics of the whole index on every shard, so the first stage does not depend on the split
    body = {"size": 10, "_source": False, "query": {"multi_match": {"query": text, "fields": match_fields}}}
    if model:
        body["rescore"] = {"window_size": depth,
                           "cross_encoder": {"model": model, "query_text": text, "fields": ce_fields}}
    r = client.call("POST", f"/{index}/_search?search_type=dfs_query_then_fetch", body)
    return [h["_id"] for h in r["hits"]["hits"]], r["took"]


def measure(url, models_dir, out, base_folder, corpus, queries, dev_qrels, depth, index=None,
            fields=("title", "text")):
    """nDCG@10 over the held-out queries through the node: BM25 alone, reranked by the base (if given) and by `out`."""
    client = Client(url)
    engine = detect(client)
    folders = {"base": base_folder, "finetuned": out} if base_folder else {"finetuned": out}
    models = {run: os.path.basename(folder.rstrip("/")) for run, folder in folders.items()}
    for run, folder in folders.items():
        if models_dir:
            install(folder, models_dir)
        load(client, engine, models[run])
    own_index = index is None
    index = index or f"finetune-report-{models['finetuned']}".lower()
    if own_index:
        index_corpus(client, index, corpus, sorted(corpus))
    ce_fields = list(fields)
    match_fields = ["all"] if own_index else ce_fields
    try:
        runs = {"bm25": None, **models}
        ndcg, took = {}, {}
        for run, model in runs.items():
            values, times = [], []
            for q in sorted(dev_qrels):
                ranked, ms = search(client, index, queries[q], match_fields, ce_fields, depth, model)
                values.append(ndcg_at(ranked, dev_qrels[q]))
                times.append(ms)
            ndcg[run] = round(sum(values) / len(values), 4)
            took[run] = round(sum(times) / len(times), 1)
    finally:
        if own_index:
            client.call("DELETE", f"/{index}")
    return {"url": url, "engine": engine.name, "version": engine.version(client), "index": index,
            "first_stage": f"BM25 (the engine's, dfs_query_then_fetch) top {depth}", "models": models,
            "ndcg@10": ndcg, "mean_took_ms": took}
