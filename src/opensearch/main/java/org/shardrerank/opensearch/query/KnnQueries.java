package org.shardrerank.opensearch.query;

import org.opensearch.common.xcontent.LoggingDeprecationHandler;
import org.opensearch.common.xcontent.XContentFactory;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.xcontent.NamedObjectNotFoundException;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Makes the k-NN plugin's {@code knn} query without compiling against it: writes the query's JSON and parses it
 * through the node's {@link NamedXContentRegistry}, where the k-NN plugin registered its parser.
 */
final class KnnQueries {
    static final String KNN = "knn";

    private KnnQueries() {}

    static QueryBuilder knn(NamedXContentRegistry registry, String field, float[] vector, int k, QueryBuilder filter, float boost,
                            String queryName) {
        try {
            XContentBuilder b = XContentFactory.jsonBuilder();
            b.startObject().startObject(KNN).startObject(field);
            b.array("vector", vector);
            b.field("k", k);
            if (filter != null) {
                b.field("filter", filter);
            }
            b.field(AbstractQueryBuilder.BOOST_FIELD.getPreferredName(), boost);
            if (queryName != null) {
                b.field(AbstractQueryBuilder.NAME_FIELD.getPreferredName(), queryName);
            }
            b.endObject().endObject().endObject();
            return parse(registry, BytesReference.bytes(b));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static QueryBuilder parse(NamedXContentRegistry registry, BytesReference json) throws IOException {
        try (XContentParser p = JsonXContent.jsonXContent.createParser(registry, LoggingDeprecationHandler.INSTANCE, json.streamInput())) {
            p.nextToken();
            return AbstractQueryBuilder.parseInnerQueryBuilder(p);
        } catch (NamedObjectNotFoundException e) {
            throw new IllegalArgumentException("[" + TextKnnQueryBuilder.NAME + "] needs the k-NN plugin: the [" + KNN
                + "] query is not registered on this node", e);
        } catch (org.opensearch.core.common.ParsingException e) {
            if (e.getMessage() != null && e.getMessage().contains("unknown query [" + KNN + "]")) {
                throw new IllegalArgumentException("[" + TextKnnQueryBuilder.NAME + "] needs the k-NN plugin: the [" + KNN
                    + "] query is not registered on this node", e);
            }
            throw e;
        }
    }
}
