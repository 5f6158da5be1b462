package org.shardrerank.opensearch.pipeline;

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
 * The processor's configuration and what it makes of one request: the original query keeps deciding which documents
 * match (it becomes a {@code bool.filter}, so hit counts, aggregations and {@code track_total_hits} are the
 * original's), and a ranking clause scores inside that set: {@code hybrid_rrf} of the text clauses and a
 * {@code text_knn} query, both restricted to the original query; then the {@code cross_encoder} rescore. Written as
 * the DSL a user would type and parsed through the node's {@link NamedXContentRegistry}, so the result is exactly
 * what the DSL would give.
 *
 * @param model       text embedding model of {@code text_knn}
 * @param vectorField knn_vector field searched
 * @param k           neighbours per shard
 * @param firstStage  how the two ranking queries are combined
 * @param hybrid      extra {@code hybrid_rrf} options (rank_constant, window_size, weights), may be empty
 * @param rerank      the {@code cross_encoder} options and the rescore's {@code window_size}; empty for no rescore
 */
record RewritePlan(String model, String vectorField, int k, FirstStage firstStage, Map<String, Object> hybrid, Map<String, Object> rerank) {
    static final String HYBRID_RRF = "hybrid_rrf";
    static final String TEXT_KNN = "text_knn";
    static final String CROSS_ENCODER = "cross_encoder";
    static final String WINDOW_SIZE = "window_size";

    /**
     * The query and rescorers for a request whose query is {@code original} and whose text is {@code e}; parsing errors
     * (an unregistered query, a bad option) are thrown.
     */
    SearchSourceBuilder build(NamedXContentRegistry registry, QueryBuilder original, TextQueries.Extraction e) throws IOException {
        XContentBuilder b = XContentFactory.jsonBuilder().startObject();
        b.field("query");
        query(b, original, e);
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

    /** {@code bool}: the original query filters (no should clause is required then), the ranking clauses score. */
    private void query(XContentBuilder b, QueryBuilder original, TextQueries.Extraction e) throws IOException {
        b.startObject().startObject("bool");
        b.startArray("filter").value(original).endArray();
        b.startArray("should");
        if (firstStage == FirstStage.HYBRID_RRF) {
            b.startObject().startObject(HYBRID_RRF);
            b.startArray("queries").value(e.lexical());
            textKnn(b, e.text(), null);
            b.endArray();
            for (Map.Entry<String, Object> option : hybrid.entrySet()) {
                b.field(option.getKey(), option.getValue());
            }
            b.field("filter", original); // each sub-query picks its top window among the matching documents only
            b.endObject().endObject();
        } else {
            b.value(e.lexical());
            textKnn(b, e.text(), original);
        }
        b.endArray();
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
