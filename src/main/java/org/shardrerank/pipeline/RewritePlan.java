package org.shardrerank.pipeline;

import org.opensearch.common.xcontent.LoggingDeprecationHandler;
import org.opensearch.common.xcontent.XContentFactory;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.search.builder.SearchSourceBuilder;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The processor's configuration and what it makes of one search text: the first-stage query (the request's own
 * text query fused with a {@code text_knn} query) and the {@code cross_encoder} rescore. Both are written as the
 * DSL a user would type and parsed through the node's {@link NamedXContentRegistry}, so the plugin needs no compile
 * dependency on the query classes and the result is exactly what the DSL would give.
 *
 * @param model       text embedding model of {@code text_knn}
 * @param vectorField knn_vector field searched
 * @param k           neighbours per shard
 * @param firstStage  how the two queries are combined
 * @param hybrid      extra {@code hybrid_rrf} options (rank_constant, window_size, weights), may be empty
 * @param rerank      the {@code cross_encoder} options and the rescore's {@code window_size}; empty for no rescore
 */
record RewritePlan(String model, String vectorField, int k, FirstStage firstStage, Map<String, Object> hybrid, Map<String, Object> rerank) {
    static final String HYBRID_RRF = "hybrid_rrf";
    static final String TEXT_KNN = "text_knn";
    static final String CROSS_ENCODER = "cross_encoder";
    static final String WINDOW_SIZE = "window_size";

    /** The query and rescorers for {@code text}; parsing errors (an unregistered query, a bad option) are thrown. */
    SearchSourceBuilder build(NamedXContentRegistry registry, TextQueries.Extraction e) throws IOException {
        XContentBuilder b = XContentFactory.jsonBuilder().startObject();
        b.field("query");
        firstStage(b, e);
        if (rerank.isEmpty() == false) {
            b.startObject("rescore");
            if (rerank.containsKey(WINDOW_SIZE)) {
                b.field(WINDOW_SIZE, rerank.get(WINDOW_SIZE));
            }
            b.startObject(CROSS_ENCODER);
            for (Map.Entry<String, Object> option : rerank.entrySet()) {
                if (option.getKey().equals(WINDOW_SIZE) == false) {
                    b.field(option.getKey(), option.getValue());
                }
            }
            b.field("query_text", e.text());
            b.endObject().endObject();
        }
        b.endObject();
        try (XContentParser p = JsonXContent.jsonXContent.createParser(registry, LoggingDeprecationHandler.INSTANCE,
            BytesReference.bytes(b).streamInput())) {
            return SearchSourceBuilder.fromXContent(p);
        }
    }

    private void firstStage(XContentBuilder b, TextQueries.Extraction e) throws IOException {
        b.startObject();
        if (firstStage == FirstStage.HYBRID_RRF) {
            b.startObject(HYBRID_RRF);
            b.startArray("queries").value(e.lexical());
            textKnn(b, e.text(), null);
            b.endArray();
            for (Map.Entry<String, Object> option : hybrid.entrySet()) {
                b.field(option.getKey(), option.getValue());
            }
            if (e.restrictions() != null) {
                b.field("filter", e.restrictions());
            }
        } else {
            b.startObject("bool");
            b.startArray("should").value(e.lexical());
            textKnn(b, e.text(), e.restrictions());
            b.endArray();
            b.field("minimum_should_match", 1);
            if (e.restrictions() != null) {
                b.startArray("filter").value(e.restrictions()).endArray();
            }
        }
        b.endObject().endObject();
    }

    private void textKnn(XContentBuilder b, String text, QueryBuilder filter) throws IOException {
        b.startObject().startObject(TEXT_KNN);
        b.field("field", vectorField).field("query_text", text).field("model", model).field("k", k);
        if (filter != null) {
            b.field("filter", filter);
        }
        b.endObject().endObject();
    }

    static final List<String> HYBRID_OWN_KEYS = List.of("queries", "filter");
}
