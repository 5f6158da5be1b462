package org.shardrerank;

import java.util.Locale;

/**
 * The engine the integration tests run against (system property {@code tests.engine}: {@code opensearch}, the default,
 * or {@code elasticsearch}), and the differences between the two that the suites meet: the plugin's REST prefix, how a
 * vector field is mapped and searched, reading vectors back, the node's config file, features only one engine has.
 */
public enum Engine {
    /** OpenSearch 3.6.0 with the k-NN plugin ({@code knn_vector}, its {@code knn} query) and search pipelines. */
    OPENSEARCH("opensearch", "/_plugins/rerank", "opensearch.yml"),
    /** Elasticsearch 9.5.3: {@code dense_vector} and the {@code knn} query are in its core; no search pipelines. */
    ELASTICSEARCH("elasticsearch", "/_shard_rerank", "elasticsearch.yml");

    /** How a vector field compares vectors; each engine names them differently. */
    public enum Similarity {
        L2("l2", "l2_norm"),
        COSINE("cosinesimil", "cosine");

        private final String openSearch;
        private final String elasticsearch;

        Similarity(String openSearch, String elasticsearch) {
            this.openSearch = openSearch;
            this.elasticsearch = elasticsearch;
        }
    }

    private final String id;
    private final String restPrefix;
    private final String configFile;

    Engine(String id, String restPrefix, String configFile) {
        this.id = id;
        this.restPrefix = restPrefix;
        this.configFile = configFile;
    }

    /** The engine named by {@code tests.engine} (unset, empty or an unresolved Maven expression: OpenSearch). */
    public static Engine current() {
        String value = System.getProperty("tests.engine", "").trim();
        if (value.isEmpty() || value.startsWith("${")) {
            return OPENSEARCH;
        }
        for (Engine e : values()) {
            if (e.id.equals(value.toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new IllegalArgumentException("tests.engine must be opensearch or elasticsearch, got [" + value + "]");
    }

    /** The name scripts/node.sh takes in {@code ENGINE}. */
    public String id() {
        return id;
    }

    /** The plugin's REST prefix, e.g. {@code /_plugins/rerank}; sub-paths ({@code /stats}, {@code /models}, ...) are the same. */
    public String restPrefix() {
        return restPrefix;
    }

    /** The node's config file, where {@code NODE_EXTRA_YML} lands. */
    public String configFile() {
        return configFile;
    }

    /** OpenSearch's search pipelines ({@code _search/pipeline}, {@code index.search.default_pipeline}). */
    public boolean hasSearchPipelines() {
        return this == OPENSEARCH;
    }

    /** The vector plugin the node lists in {@code _nodes/plugins}, or null when vectors are in the engine's core. */
    public String vectorPlugin() {
        return this == OPENSEARCH ? "opensearch-knn" : null;
    }

    /** Index settings a vector field needs, as members to append inside {@code "settings":{...}} (may be empty). */
    public String vectorIndexSettings() {
        return this == OPENSEARCH ? ",\"index.knn\":true" : "";
    }

    /**
     * The mapping of an HNSW vector field of {@code dims} floats, without quantization on either engine: OpenSearch's
     * {@code knn_vector} on the lucene engine, Elasticsearch's {@code dense_vector} with {@code index_options} hnsw (its
     * default would quantize).
     */
    public String vectorField(int dims, Similarity similarity) {
        if (this == OPENSEARCH) {
            return "{\"type\":\"knn_vector\",\"dimension\":" + dims + ",\"method\":{\"name\":\"hnsw\",\"engine\":\"lucene\",\"space_type\":\""
                + similarity.openSearch + "\"}}";
        }
        return "{\"type\":\"dense_vector\",\"dims\":" + dims + ",\"index\":true,\"similarity\":\"" + similarity.elasticsearch
            + "\",\"index_options\":{\"type\":\"hnsw\"}}";
    }

    /**
     * A k-NN query on {@code field} for {@code vectorJson} (a JSON array) returning {@code k} neighbours per shard;
     * {@code extra} (e.g. {@code ,"filter":{...}} or {@code ,"_name":"v"}) is appended to the object holding the vector.
     */
    public String knnQuery(String field, String vectorJson, int k, String extra) {
        if (this == OPENSEARCH) {
            return "{\"knn\":{\"" + field + "\":{\"vector\":" + vectorJson + ",\"k\":" + k + extra + "}}}";
        }
        return "{\"knn\":{\"field\":\"" + field + "\",\"query_vector\":" + vectorJson + ",\"k\":" + k + ",\"num_candidates\":"
            + Math.max(k, 100) + extra + "}}";
    }

    /**
     * A k-NN query for the {@code k} nearest documents to {@code text}, embedded on the node by {@code model}: OpenSearch's
     * {@code text_knn} query, Elasticsearch's {@code knn} with the {@code text_vectors} query vector builder. {@code extra}
     * (e.g. {@code ,"filter":{...}}) is appended to the query's object.
     */
    public String textKnnQuery(String field, String model, String text, int k, String extra) {
        if (this == OPENSEARCH) {
            return "{\"text_knn\":{\"field\":\"" + field + "\",\"query_text\":\"" + text + "\",\"model\":\"" + model + "\",\"k\":" + k
                + extra + "}}";
        }
        return "{\"knn\":{\"field\":\"" + field + "\",\"k\":" + k + ",\"num_candidates\":" + Math.max(k, 100)
            + ",\"query_vector_builder\":{\"text_vectors\":{\"model\":\"" + model + "\",\"query_text\":\"" + text + "\"}}" + extra + "}}";
    }

    /**
     * Query-string parameters (leading {@code ?}, or empty) for a get of a document whose {@code _source} must show its
     * vectors: Elasticsearch 9.5 hides {@code dense_vector} values from {@code _source} by default.
     */
    public String getWithVectorsParams() {
        return this == ELASTICSEARCH ? "?_source_exclude_vectors=false" : "";
    }

    /** The search body member (with a leading comma, or empty) that keeps vectors in the hits' {@code _source}. */
    public String searchWithVectors() {
        return this == ELASTICSEARCH ? ",\"_source\":{\"exclude_vectors\":false}" : "";
    }
}
