"""What differs between the OpenSearch and the Elasticsearch edition as the benchmarks and the demo meet it: the plugin's
REST prefix, the vector field's mapping, how a text becomes a k-NN query, and whether the node has _rank_eval. Detected
from the node itself, so every script runs unchanged against either engine."""
from osclient import OpenSearchError


class Engine:
    name = ""
    plugin = ""          # REST prefix of the plugin's own endpoints (stats, models)
    has_rank_eval = True

    def vector_index(self, settings, props, field, dim):
        """Adds a cosine HNSW vector field of `dim` dimensions to an index's settings and mapping properties."""
        raise NotImplementedError

    def text_knn(self, field, model, text, k):
        """A query for the k nearest documents to `text`, embedded on the node by `model`."""
        raise NotImplementedError

    def version(self, client):
        raise NotImplementedError


class OpenSearch(Engine):
    name, plugin = "opensearch", "/_plugins/rerank"

    def vector_index(self, settings, props, field, dim):
        settings["index.knn"] = True
        props[field] = {"type": "knn_vector", "dimension": dim,
                        "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"}}

    def text_knn(self, field, model, text, k):
        return {"text_knn": {"field": field, "model": model, "query_text": text, "k": k}}

    def version(self, client):
        return client.call("GET", "/")["version"]["number"]


class Elasticsearch(Engine):
    # the integ-test distribution has no rank-eval module: nDCG is computed here from the same searches
    name, plugin, has_rank_eval = "elasticsearch", "/_shard_rerank", False

    def vector_index(self, settings, props, field, dim):
        props[field] = {"type": "dense_vector", "dims": dim, "index": True, "similarity": "cosine",
                        "index_options": {"type": "hnsw"}}

    def text_knn(self, field, model, text, k):
        # num_candidates as OpenSearch's Lucene engine explores (max(k, ef_search 100))
        return {"knn": {"field": field, "k": k, "num_candidates": max(k, 100),
                        "query_vector_builder": {"text_vectors": {"model": model, "query_text": text}}}}

    def version(self, client):
        nodes = client.call("GET", "/_nodes/_local")["nodes"]
        return next(iter(nodes.values()))["version"]


def detect(client):
    """The engine behind `client`, told by which of the plugin's stats endpoints answers."""
    for engine in (OpenSearch(), Elasticsearch()):
        try:
            client.call("GET", engine.plugin + "/stats")
            return engine
        except OpenSearchError:
            continue
    raise SystemExit(f"no shard-rerank node at {client.url} (neither /_plugins/rerank/stats nor /_shard_rerank/stats answers)")
