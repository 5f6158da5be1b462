package org.shardrerank.elasticsearch.query;

import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.NamedWriteableAwareStreamInput;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.lucene.search.Queries;
import org.elasticsearch.index.mapper.NestedLookup;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.index.search.NestedHelper;
import org.elasticsearch.search.vectors.KnnVectorQueryBuilder;
import org.shardrerank.query.HybridRrfOptions;
import org.shardrerank.query.HybridRrfQuery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the sub-query builders into the Lucene queries that {@link HybridRrfQuery} runs on their own, so each must
 * already carry every restriction the fused result has: the hybrid's {@code filter}, and (at the top level of an index
 * with nested fields) "parent documents only", as Elasticsearch adds to a whole search. Otherwise filtered-out
 * documents would take places in a sub-query's top window and push the rest down.
 */
final class SubQueries {
    private SubQueries() {}

    static List<Query> toQueries(List<QueryBuilder> builders, QueryBuilder filter, SearchExecutionContext context, QueryVisitor visitor)
        throws IOException {
        Query filterQuery = filter == null ? null : toQuery(filter, context);
        boolean nested = context.nestedLookup() != NestedLookup.EMPTY && context.nestedScope().getObjectMapper() == null;
        List<Query> queries = new ArrayList<>(builders.size());
        for (QueryBuilder builder : builders) {
            Query query;
            if (filter != null && builder instanceof KnnVectorQueryBuilder knn) {
                // a filter around knn would only drop some of its k neighbours; inside it the vector search looks for
                // the k nearest among the documents that pass
                query = toQuery(withFilter(knn, filter, context.getWriteableRegistry()), context);
            } else {
                query = toQuery(builder, context);
                if (filterQuery != null) {
                    query = filtered(query, filterQuery);
                }
            }
            if (nested && NestedHelper.mightMatchNestedDocs(query, context)) {
                query = filtered(query, Queries.newNonNestedFilter(context.indexVersionCreated()));
            }
            query.visit(visitor); // counts the clauses against indices.query.bool.max_clause_count, as bool does
            queries.add(query);
        }
        return queries;
    }

    /** A copy of {@code knn} (through the wire, so no option is lost) with {@code filter} added to its own filters. */
    static KnnVectorQueryBuilder withFilter(KnnVectorQueryBuilder knn, QueryBuilder filter, NamedWriteableRegistry registry)
        throws IOException {
        try (BytesStreamOutput out = new BytesStreamOutput()) {
            out.writeNamedWriteable(knn);
            try (StreamInput in = new NamedWriteableAwareStreamInput(out.bytes().streamInput(), registry)) {
                return ((KnnVectorQueryBuilder) in.readNamedWriteable(QueryBuilder.class)).addFilterQuery(filter);
            }
        }
    }

    private static Query filtered(Query scoring, Query filter) {
        return new BooleanQuery.Builder().add(scoring, Occur.MUST).add(filter, Occur.FILTER).build();
    }

    private static Query toQuery(QueryBuilder builder, SearchExecutionContext context) throws IOException {
        Query query = builder.toQuery(context);
        if (query == null) {
            return new MatchNoDocsQuery(); // the QueryBuilder contract lets toQuery answer null ("nothing to match here")
        }
        if (containsHybrid(query)) {
            throw HybridRrfOptions.nested();
        }
        return query;
    }

    /** True when {@code query} holds a {@link HybridRrfQuery} (found through the queries that pass their visitor on). */
    static boolean containsHybrid(Query query) {
        boolean[] found = { query instanceof HybridRrfQuery };
        query.visit(new QueryVisitor() {
            @Override
            public QueryVisitor getSubVisitor(Occur occur, Query parent) {
                found[0] |= parent instanceof HybridRrfQuery;
                return this;
            }
        });
        return found[0];
    }
}
