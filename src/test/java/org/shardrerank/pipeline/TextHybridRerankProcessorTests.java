package org.shardrerank.pipeline;

import org.opensearch.OpenSearchParseException;
import org.opensearch.action.search.SearchRequest;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.index.query.BoolQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.search.pipeline.Processor;
import org.opensearch.search.sort.SortOrder;
import org.opensearch.test.OpenSearchTestCase;
import org.shardrerank.EmbeddingFixture;
import org.shardrerank.query.TextKnnQueryBuilder;
import org.shardrerank.rescore.CrossEncoderRescorerBuilder;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class TextHybridRerankProcessorTests extends OpenSearchTestCase {

    private static Map<String, Object> config(Object... kv) {
        Map<String, Object> c = new HashMap<>();
        c.put("model", "all-minilm-l6-v2");
        c.put("vector_field", "vec");
        c.put("first_stage", "bool");
        c.put("rerank", new HashMap<>(Map.of("model", "overlap-logit", "fields", List.of("title", "text"), "window_size", 30)));
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                c.remove((String) kv[i]);
            } else {
                c.put((String) kv[i], kv[i + 1]);
            }
        }
        return c;
    }

    private static TextHybridRerankProcessor create(EmbeddingFixture f, ThreadContext ctx, Map<String, Object> config) throws Exception {
        return new TextHybridRerankProcessorFactory(f.xContent, ctx).create(Map.of(), "t", null, false, config,
            new Processor.PipelineContext(Processor.PipelineSource.VALIDATE_PIPELINE));
    }

    public void testPlainMatchBecomesBoolOfMatchAndTextKnnWithRescore() throws Exception {
        ThreadContext ctx = new ThreadContext(Settings.EMPTY);
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            TextHybridRerankProcessor p = create(f, ctx, config("k", 20));
            SearchRequest request = new SearchRequest("idx").source(new SearchSourceBuilder()
                .query(QueryBuilders.matchQuery("text", "do goldfish grow")).sort("_score", SortOrder.DESC).size(5));
            p.processRequest(request);
            BoolQueryBuilder bool = (BoolQueryBuilder) request.source().query();
            assertEquals(QueryBuilders.matchQuery("text", "do goldfish grow"), bool.should().get(0));
            TextKnnQueryBuilder knn = (TextKnnQueryBuilder) bool.should().get(1);
            assertEquals("vec", knn.field());
            assertEquals("do goldfish grow", knn.queryText());
            assertEquals(20, knn.k());
            assertNull(knn.filter());
            assertEquals("1", bool.minimumShouldMatch());
            CrossEncoderRescorerBuilder rescore = (CrossEncoderRescorerBuilder) request.source().rescores().get(0);
            assertEquals("overlap-logit", rescore.model());
            assertEquals("do goldfish grow", rescore.queryText());
            assertEquals(List.of("title", "text"), rescore.fields());
            assertEquals(Integer.valueOf(30), rescore.windowSize());
            assertTrue("the _score sort is dropped: rescore refuses any sort", request.source().sorts().isEmpty());
            assertEquals(5, request.source().size());
            assertEquals(List.of("rewritten; bool + cross_encoder"), ctx.getResponseHeaders().get(TextHybridRerankProcessor.HEADER));
        }
    }

    public void testDiscoverRequestKeepsItsRestrictions() throws Exception {
        ThreadContext ctx = new ThreadContext(Settings.EMPTY);
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            TextHybridRerankProcessor p = create(f, ctx, config());
            QueryBuilder discover = QueryBuilders.boolQuery()
                .filter(QueryBuilders.multiMatchQuery("goldfish tanks").lenient(true))
                .filter(QueryBuilders.rangeQuery("year").gte(2003))
                .mustNot(QueryBuilders.termQuery("title", "cats"));
            SearchRequest request = new SearchRequest("idx").source(new SearchSourceBuilder().query(discover));
            p.processRequest(request);
            BoolQueryBuilder bool = (BoolQueryBuilder) request.source().query();
            TextKnnQueryBuilder knn = (TextKnnQueryBuilder) bool.should().get(1);
            BoolQueryBuilder restrictions = (BoolQueryBuilder) knn.filter();
            assertEquals(List.of(QueryBuilders.rangeQuery("year").gte(2003)), restrictions.filter());
            assertEquals(List.of(QueryBuilders.termQuery("title", "cats")), restrictions.mustNot());
            assertEquals("the lexical side is restricted too", List.of(restrictions), bool.filter());
        }
    }

    public void testWhatItCannotUnderstandPassesThroughWithAReason() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            Object[][] cases = {
                { new SearchSourceBuilder().query(QueryBuilders.matchAllQuery()),
                    "query [match_all] is not one of [match, multi_match, query_string, simple_query_string]" },
                { new SearchSourceBuilder().query(QueryBuilders.queryStringQuery("*")), "the query text [*] matches everything" },
                { new SearchSourceBuilder().query(QueryBuilders.matchQuery("t", "x")).sort("year"), "the request sorts by something other than" },
                { new SearchSourceBuilder().query(QueryBuilders.boolQuery().must(QueryBuilders.matchQuery("a", "x"))
                    .must(QueryBuilders.matchQuery("b", "y"))), "[bool] has 2 search texts" },
                { new SearchSourceBuilder().query(QueryBuilders.boolQuery().should(QueryBuilders.termQuery("a", "x"))),
                    "[bool] has [should] clauses other than one search text" },
                { new SearchSourceBuilder(), "the request has no query" },
                { new SearchSourceBuilder().query(QueryBuilders.matchQuery("t", "x")).size(0), "the request asks for no hits ([size] 0)" } };
            for (Object[] c : cases) {
                ThreadContext ctx = new ThreadContext(Settings.EMPTY);
                TextHybridRerankProcessor p = create(f, ctx, config());
                SearchSourceBuilder source = (SearchSourceBuilder) c[0];
                SearchSourceBuilder copy = source.shallowCopy();
                SearchRequest request = new SearchRequest("idx").source(source);
                p.processRequest(request);
                assertEquals("unchanged", copy, request.source());
                String header = ctx.getResponseHeaders().get(TextHybridRerankProcessor.HEADER).get(0);
                assertTrue(header + " should contain " + c[1], header.startsWith("passthrough; ") && header.contains((String) c[1]));
            }
        }
    }

    public void testTextInSimpleBoolsAndOtherQueryTypes() {
        assertEquals("goldfish", TextQueries.of(QueryBuilders.boolQuery().should(QueryBuilders.matchQuery("title", "goldfish"))).text());
        assertEquals("a b", TextQueries.of(QueryBuilders.simpleQueryStringQuery(" a b ")).text());
        assertEquals("title:fish", TextQueries.of(QueryBuilders.queryStringQuery("title:fish")).text());
        TextQueries.Extraction e = TextQueries.of(QueryBuilders.boolQuery().must(QueryBuilders.matchAllQuery())
            .filter(QueryBuilders.boolQuery().should(QueryBuilders.matchQuery("title", "koi")).minimumShouldMatch(1)));
        assertEquals("koi", e.text());
        assertNull("match_all restricts nothing", e.restrictions());
    }

    public void testConfigurationErrors() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            ThreadContext ctx = new ThreadContext(Settings.EMPTY);
            Object[][] cases = {
                { new Object[] { "vector_field", null }, "[vector_field] required property is missing" },
                { new Object[] { "first_stage", "sum" }, "must be one of [hybrid_rrf, bool], got [sum]" },
                { new Object[] { "first_stage", null }, "the configuration does not make a valid search" },
                { new Object[] { "hybrid", Map.of("rank_constant", 10) }, "[hybrid] applies to [first_stage] [hybrid_rrf] only" },
                { new Object[] { "k", 0 }, "[text_knn] [k] must be in [1, 10000], got [0]" },
                { new Object[] { "rerank", Map.of("model", "overlap-logit") }, "[cross_encoder] requires at least one field in [fields]" },
                { new Object[] { "rerank", Map.of("model", "m", "fields", List.of("a"), "query_text", "x") }, "[rerank.query_text] is taken from the request" } };
            for (Object[] c : cases) {
                OpenSearchParseException e = expectThrows(OpenSearchParseException.class, () -> create(f, ctx, config((Object[]) c[0])));
                assertTrue(e.getMessage() + " should contain " + c[1], e.getMessage().contains((String) c[1]));
            }
        }
    }
}
