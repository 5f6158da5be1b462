package org.shardrerank.opensearch.query;

import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.opensearch.common.lucene.search.Queries;
import org.opensearch.common.xcontent.LoggingDeprecationHandler;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.Rewriteable;
import org.opensearch.index.search.NestedHelper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the sub-query builders into the Lucene queries that {@link HybridRrfQuery} runs on their own, so each
 * must already carry every restriction the fused result has: the hybrid's {@code filter}, and (at the top
 * level of an index with nested fields) "parent documents only", as OpenSearch adds to a whole search.
 * Otherwise filtered-out documents would take places in a sub-query's top window and push the rest down.
 */
final class SubQueries {
    /**
     * The k-NN plugin's query. A filter around it would only drop some of its k neighbours; inside it (its own
     * {@code filter} parameter) the vector search looks for the k nearest among the documents that pass. Its
     * classes are not on our classpath, so the filter is put in through its XContent.
     */
    private static final String KNN = "knn";
    private static final String KNN_FILTER = "filter";

    private SubQueries() {}

    static List<Query> toQueries(List<QueryBuilder> builders, QueryBuilder filter, QueryShardContext context) throws IOException {
        Query filterQuery = filter == null ? null : filter.toQuery(context);
        NestedHelper nested = context.getMapperService().hasNested() && context.nestedScope().getObjectMapper() == null
            ? new NestedHelper(context.getMapperService())
            : null;
        List<Query> queries = new ArrayList<>(builders.size());
        for (QueryBuilder builder : builders) {
            Query query;
            if (filter != null && KNN.equals(builder.getWriteableName())) {
                query = toQuery(withKnnFilter(builder, filter, context), context);
            } else {
                query = toQuery(builder, context);
                if (filterQuery != null) {
                    query = filtered(query, filterQuery);
                }
            }
            if (nested != null && nested.mightMatchNestedDocs(query)) {
                query = filtered(query, Queries.newNonNestedFilter());
            }
            queries.add(query);
        }
        return queries;
    }

    private static Query filtered(Query scoring, Query filter) {
        return new BooleanQuery.Builder().add(scoring, Occur.MUST).add(filter, Occur.FILTER).build();
    }

    private static Query toQuery(QueryBuilder builder, QueryShardContext context) throws IOException {
        Query query = builder.toQuery(context);
        // the QueryBuilder contract lets toQuery answer null ("nothing to match here")
        return query == null ? new MatchNoDocsQuery() : query;
    }

    /** {@code knn} with {@code filter} in its own filter parameter (and-ed with the one it had). */
    @SuppressWarnings("unchecked")
    private static QueryBuilder withKnnFilter(QueryBuilder knn, QueryBuilder filter, QueryShardContext context) throws IOException {
        Map<String, Object> query = toMap(knn);
        if (query.get(KNN) instanceof Map<?, ?> fields && fields.size() == 1 && fields.values().iterator().next() instanceof Map<?, ?> p) {
            Map<String, Object> params = (Map<String, Object>) p;
            Object own = params.get(KNN_FILTER);
            Map<String, Object> ours = toMap(filter);
            params.put(KNN_FILTER, own == null ? ours : Map.of("bool", Map.of("filter", List.of(own, ours))));
        } else {
            throw new IllegalArgumentException("[" + HybridRrfQueryBuilder.NAME + "] cannot put [filter] into this [knn] query: " + query);
        }
        // CBOR keeps the vector's float32 values exact through the round trip
        BytesReference bytes = BytesReference.bytes(XContentType.CBOR.contentBuilder().map(query));
        try (XContentParser parser = XContentHelper.createParser(context.getXContentRegistry(), LoggingDeprecationHandler.INSTANCE, bytes,
            XContentType.CBOR)) {
            return Rewriteable.rewrite(AbstractQueryBuilder.parseInnerQueryBuilder(parser), context, true);
        }
    }

    private static Map<String, Object> toMap(QueryBuilder builder) throws IOException {
        return XContentHelper.convertToMap(XContentHelper.toXContent(builder, XContentType.CBOR, false), true, XContentType.CBOR).v2();
    }
}
