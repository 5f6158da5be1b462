package org.shardrerank.opensearch.query;

import org.shardrerank.query.HybridRrfQuery;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.opensearch.core.xcontent.XContentParseException;
import org.opensearch.index.query.BoolQueryBuilder;
import org.opensearch.index.query.MatchQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.RangeQueryBuilder;
import org.opensearch.index.query.TermQueryBuilder;
import org.opensearch.index.query.WrapperQueryBuilder;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.test.AbstractQueryTestCase;
import org.opensearch.test.TestGeoShapeFieldMapperPlugin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;

public class HybridRrfQueryBuilderTests extends AbstractQueryTestCase<HybridRrfQueryBuilder> {

    /** Registers the query alone: the builder needs no model or inference. */
    public static final class QueryOnlyPlugin extends Plugin implements SearchPlugin {
        @Override
        public List<QuerySpec<?>> getQueries() {
            return List.of(new QuerySpec<>(HybridRrfQueryBuilder.NAME, HybridRrfQueryBuilder::new, HybridRrfQueryBuilder::fromXContent));
        }
    }

    @Override
    protected Collection<Class<? extends Plugin>> getPlugins() {
        return List.of(QueryOnlyPlugin.class, TestGeoShapeFieldMapperPlugin.class);
    }

    private static QueryBuilder randomSubQuery() {
        QueryBuilder q = switch (randomIntBetween(0, 3)) {
            case 0 -> new TermQueryBuilder(TEXT_FIELD_NAME, randomAlphaOfLengthBetween(1, 8));
            case 1 -> new MatchQueryBuilder(TEXT_FIELD_NAME, randomAlphaOfLengthBetween(1, 8) + " " + randomAlphaOfLengthBetween(1, 8));
            case 2 -> new RangeQueryBuilder(INT_FIELD_NAME).from(randomIntBetween(0, 5)).to(randomIntBetween(6, 10));
            default -> new BoolQueryBuilder().should(new TermQueryBuilder(KEYWORD_FIELD_NAME, randomAlphaOfLength(3)))
                .should(new TermQueryBuilder(TEXT_FIELD_NAME, randomAlphaOfLength(3)));
        };
        return randomBoolean() ? q.queryName(randomAlphaOfLengthBetween(3, 8)) : q;
    }

    private static List<Float> randomWeights(int n) {
        List<Float> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add(randomIntBetween(1, 40) / 8f);
        }
        return w;
    }

    @Override
    protected HybridRrfQueryBuilder doCreateTestQueryBuilder() {
        HybridRrfQueryBuilder b = new HybridRrfQueryBuilder(randomList(2, 4, HybridRrfQueryBuilderTests::randomSubQuery));
        if (randomBoolean()) {
            b.weights(randomWeights(b.queries().size()));
        }
        if (randomBoolean()) {
            b.rankConstant(randomIntBetween(1, 200));
        }
        if (randomBoolean()) {
            b.windowSize(randomIntBetween(1, 1000));
        }
        if (randomBoolean()) {
            b.filterQuery(new TermQueryBuilder(KEYWORD_FIELD_NAME, randomAlphaOfLength(4)));
        }
        return b;
    }

    @Override
    public HybridRrfQueryBuilder mutateInstance(HybridRrfQueryBuilder original) throws IOException {
        HybridRrfQueryBuilder copy = (HybridRrfQueryBuilder) copyQueryBuilder(original);
        switch (randomIntBetween(0, 5)) {
            case 0 -> {
                List<QueryBuilder> more = new ArrayList<>(copy.queries());
                more.add(randomSubQuery());
                copy.queries(more).weights(null);
            }
            case 1 -> copy.weights(copy.weights() == null ? randomWeights(copy.queries().size()) : null);
            case 2 -> copy.rankConstant(copy.rankConstant() + 1);
            case 3 -> copy.windowSize(copy.windowSize() + 1);
            case 4 -> copy.filterQuery(copy.filterQuery() == null ? new TermQueryBuilder(KEYWORD_FIELD_NAME, "f") : null);
            default -> {
                return changeNameOrBoost(original);
            }
        }
        return copy;
    }

    private QueryBuilder copyQueryBuilder(QueryBuilder q) throws IOException {
        return copyWriteable(q, namedWriteableRegistry(), HybridRrfQueryBuilder::new);
    }

    @Override
    protected void doAssertLuceneQuery(HybridRrfQueryBuilder builder, Query query, QueryShardContext context) throws IOException {
        assertThat(query, instanceOf(HybridRrfQuery.class));
        HybridRrfQuery hybrid = (HybridRrfQuery) query;
        assertEquals(builder.queries().size(), hybrid.queries().size());
        assertEquals(builder.rankConstant(), hybrid.rankConstant());
        assertEquals(builder.windowSize(), hybrid.windowSize());
        for (int i = 0; i < builder.queries().size(); i++) {
            assertEquals(builder.weights() == null ? 1f : builder.weights().get(i), hybrid.weight(i), 0f);
        }
        if (builder.filterQuery() != null) {
            Query filter = builder.filterQuery().toQuery(context);
            for (Query sub : hybrid.queries()) {
                assertThat(sub, instanceOf(BooleanQuery.class));
                assertTrue(sub + " is filtered by " + filter, ((BooleanQuery) sub).clauses().contains(new BooleanClause(filter, BooleanClause.Occur.FILTER)));
            }
        }
    }

    private static final String TWO = "{\"term\":{\"" + TEXT_FIELD_NAME + "\":\"a\"}},{\"term\":{\"" + TEXT_FIELD_NAME + "\":\"b\"}}";

    private String invalid(String body) {
        return expectThrows(IllegalArgumentException.class, () -> parseQuery("{\"hybrid_rrf\":{" + body + "}}")).getMessage();
    }

    public void testParsesTheDocumentedExample() throws IOException {
        HybridRrfQueryBuilder b = (HybridRrfQueryBuilder) parseQuery("{\"hybrid_rrf\":{\"queries\":[" + TWO
            + "],\"weights\":[1,0.5],\"rank_constant\":20,\"window_size\":50,\"filter\":{\"term\":{\"" + KEYWORD_FIELD_NAME
            + "\":\"x\"}},\"_name\":\"h\"}}");
        assertEquals(2, b.queries().size());
        assertEquals(List.of(1f, 0.5f), b.weights());
        assertEquals(20, b.rankConstant());
        assertEquals(50, b.windowSize());
        assertEquals(new TermQueryBuilder(KEYWORD_FIELD_NAME, "x"), b.filterQuery());
        assertEquals("h", b.queryName());

        HybridRrfQueryBuilder defaults = (HybridRrfQueryBuilder) parseQuery("{\"hybrid_rrf\":{\"queries\":[" + TWO + "]}}");
        assertNull(defaults.weights());
        assertEquals(60, defaults.rankConstant());
        assertEquals(100, defaults.windowSize());
        assertNull(defaults.filterQuery());
    }

    public void testValidationMessages() {
        assertEquals("[hybrid_rrf] requires at least 2 queries in [queries], got [0]", invalid("\"window_size\":10"));
        assertEquals("[hybrid_rrf] requires at least 2 queries in [queries], got [1]",
            invalid("\"queries\":[{\"term\":{\"" + TEXT_FIELD_NAME + "\":\"a\"}}]"));
        assertEquals("[hybrid_rrf] [rank_constant] must be >= 1, got [0]", invalid("\"queries\":[" + TWO + "],\"rank_constant\":0"));
        assertEquals("[hybrid_rrf] [window_size] must be >= 1, got [-3]", invalid("\"queries\":[" + TWO + "],\"window_size\":-3"));
        assertEquals("[hybrid_rrf] [weights] needs one weight per query: got [3] weights for [2] queries",
            invalid("\"queries\":[" + TWO + "],\"weights\":[1,2,3]"));
        assertEquals("[hybrid_rrf] [weights] must be finite numbers > 0, got [-1.0] at position [1]",
            invalid("\"queries\":[" + TWO + "],\"weights\":[1,-1]"));
        assertEquals("[hybrid_rrf] [weights] must be finite numbers > 0, got [0.0] at position [0]",
            invalid("\"queries\":[" + TWO + "],\"weights\":[0,1]"));
        assertEquals("[hybrid_rrf] [weights] must be finite numbers > 0, got [NaN] at position [0]",
            invalid("\"queries\":[" + TWO + "],\"weights\":[\"NaN\",1]"));
        assertEquals("[hybrid_rrf] [weights] must be finite numbers > 0, got [Infinity] at position [1]",
            invalid("\"queries\":[" + TWO + "],\"weights\":[1,\"Infinity\"]"));
        String nested = "{\"hybrid_rrf\":{\"queries\":[" + TWO + "]}}";
        assertEquals("[hybrid_rrf] cannot contain another [hybrid_rrf] query", invalid("\"queries\":[" + TWO + "," + nested + "]"));
        assertEquals("[hybrid_rrf] cannot contain another [hybrid_rrf] query",
            invalid("\"queries\":[" + TWO + ",{\"bool\":{\"must\":[" + nested + "]}}]"));
        assertEquals("[hybrid_rrf] cannot contain another [hybrid_rrf] query", invalid("\"queries\":[" + TWO + "],\"filter\":" + nested));
    }

    public void testUnknownFieldIsNamed() {
        XContentParseException e = expectThrows(XContentParseException.class,
            () -> parseQuery("{\"hybrid_rrf\":{\"queries\":[" + TWO + "],\"rank_constnt\":3}}"));
        assertThat(e.getMessage(), containsString("[hybrid_rrf] unknown field [rank_constnt]"));
    }

    public void testWindowSizeBoundedByMaxResultWindow() {
        QueryShardContext context = createShardContext();
        int max = context.getIndexSettings().getMaxResultWindow();
        HybridRrfQueryBuilder b = new HybridRrfQueryBuilder(List.of(randomSubQuery(), randomSubQuery())).windowSize(max + 1);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> b.toQuery(context));
        assertEquals("[hybrid_rrf] [window_size] must be <= [index.max_result_window] of index [" + context.index().getName() + "] ("
            + max + "), got [" + (max + 1) + "]", e.getMessage());
    }

    public void testJavaApiBuilderIsValidatedToo() {
        HybridRrfQueryBuilder one = new HybridRrfQueryBuilder(List.of(randomSubQuery()));
        assertEquals("[hybrid_rrf] requires at least 2 queries in [queries], got [1]",
            expectThrows(IllegalArgumentException.class, () -> one.toQuery(createShardContext())).getMessage());
    }

    public void testRewritesSubQueriesAndFilter() throws IOException {
        QueryBuilder term = new TermQueryBuilder(TEXT_FIELD_NAME, "a");
        String json = "{\"term\":{\"" + TEXT_FIELD_NAME + "\":\"a\"}}";
        HybridRrfQueryBuilder b = new HybridRrfQueryBuilder(List.of(new WrapperQueryBuilder(json), new TermQueryBuilder(TEXT_FIELD_NAME, "b")))
            .weights(List.of(2f, 1f)).rankConstant(7).windowSize(9).filterQuery(new WrapperQueryBuilder(json));
        HybridRrfQueryBuilder rewritten = (HybridRrfQueryBuilder) b.rewrite(createShardContext());
        assertEquals(List.of(term, new TermQueryBuilder(TEXT_FIELD_NAME, "b")), rewritten.queries());
        assertEquals(term, rewritten.filterQuery());
        assertEquals(List.of(2f, 1f), rewritten.weights());
        assertEquals(7, rewritten.rankConstant());
        assertEquals(9, rewritten.windowSize());
        assertSame(rewritten, rewritten.rewrite(createShardContext()));
    }

    public void testNamedSubQueriesAreRegistered() throws IOException {
        QueryShardContext context = createShardContext();
        new HybridRrfQueryBuilder(List.of(new TermQueryBuilder(TEXT_FIELD_NAME, "a").queryName("lexical"),
            new TermQueryBuilder(TEXT_FIELD_NAME, "b").queryName("other"))).toQuery(context);
        assertEquals(java.util.Set.of("lexical", "other"), context.copyNamedQueries().keySet());
    }
}
