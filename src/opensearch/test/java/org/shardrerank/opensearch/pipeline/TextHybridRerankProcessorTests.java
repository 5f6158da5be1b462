package org.shardrerank.opensearch.pipeline;

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
import org.shardrerank.opensearch.query.HybridRrfQueryBuilder;
import org.shardrerank.opensearch.query.TextKnnQueryBuilder;
import org.shardrerank.opensearch.rescore.CrossEncoderRescorerBuilder;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

public class TextHybridRerankProcessorTests extends OpenSearchTestCase {
    /** A log index: message and title are analysed text, level a keyword, @timestamp a date. */
    static final TextFields LOGS = new TextFields(List.of("logs"), List.of(new FieldTypes(
        Map.of("message", "text", "message.keyword", "keyword", "title", "text", "level", "keyword", "@timestamp", "date", "bytes", "long"),
        List.of("*"))));

    private static Map<String, Object> config(Object... kv) {
        Map<String, Object> c = new HashMap<>();
        c.put("model", "all-minilm-l6-v2");
        c.put("vector_field", "vec");
        c.put("first_stage", "bool");
        c.put("rerank", new HashMap<>(Map.of("model", "overlap-logit", "fields", List.of("title", "message"), "window_size", 30)));
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                c.remove((String) kv[i]);
            } else {
                c.put((String) kv[i], kv[i + 1]);
            }
        }
        return c;
    }

    private static TextHybridRerankProcessor create(EmbeddingFixture f, ThreadContext ctx, Map<String, Object> config,
                                                    Function<SearchRequest, TextFields> types) throws Exception {
        return new TextHybridRerankProcessorFactory(f.xContent, ctx, types).create(Map.of(), "t", null, false, config,
            new Processor.PipelineContext(Processor.PipelineSource.VALIDATE_PIPELINE));
    }

    private static TextHybridRerankProcessor create(EmbeddingFixture f, ThreadContext ctx, Map<String, Object> config) throws Exception {
        return create(f, ctx, config, r -> LOGS);
    }

    /** What Discover sends for DQL {@code level:ERROR} plus the time picker's range. */
    private static QueryBuilder discover(QueryBuilder dql) {
        return QueryBuilders.boolQuery().filter(dql).filter(QueryBuilders.rangeQuery("@timestamp").gte("2026-11-01T00:00:00.000Z")
            .lte("2026-11-30T00:00:00.000Z").format("strict_date_optional_time"));
    }

    private static QueryBuilder dql(QueryBuilder clause) {
        return QueryBuilders.boolQuery().should(clause).minimumShouldMatch(1);
    }

    public void testAKeywordClauseIsAFilterAndTheRequestPassesThrough() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            ThreadContext ctx = new ThreadContext(Settings.EMPTY);
            SearchSourceBuilder source = new SearchSourceBuilder().query(discover(dql(QueryBuilders.matchQuery("level", "ERROR"))));
            SearchSourceBuilder copy = source.shallowCopy();
            SearchRequest request = new SearchRequest("logs").source(source);
            create(f, ctx, config()).processRequest(request);
            assertEquals("unchanged", copy, request.source());
            assertEquals(List.of("passthrough; no clause searches an analysed text field of [logs]: [level] is not text, so the query only filters"),
                ctx.getResponseHeaders().get(TextHybridRerankProcessor.HEADER));
        }
    }

    public void testTheOriginalQueryStillDecidesTheMatchesAndTheTextClausesRank() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            ThreadContext ctx = new ThreadContext(Settings.EMPTY);
            QueryBuilder text = QueryBuilders.matchQuery("message", "disk failure");
            QueryBuilder original = discover(QueryBuilders.boolQuery().filter(dql(text)).filter(dql(QueryBuilders.matchQuery("level", "ERROR"))));
            SearchRequest request = new SearchRequest("logs").source(new SearchSourceBuilder().query(original)
                .sort("_score", SortOrder.DESC).size(5).trackTotalHits(true));
            create(f, ctx, config("k", 20)).processRequest(request);

            BoolQueryBuilder bool = (BoolQueryBuilder) request.source().query();
            assertEquals("the original query is the filter: counts and aggregations keep their meaning", List.of(original), bool.filter());
            assertEquals(List.of(), bool.must());
            assertEquals("the keyword clause is not ranked as text", text, bool.should().get(0));
            TextKnnQueryBuilder knn = (TextKnnQueryBuilder) bool.should().get(1);
            assertEquals("disk failure", knn.queryText());
            assertEquals(20, knn.k());
            assertEquals("the vector side looks for neighbours among the matches only", original, knn.filter());
            CrossEncoderRescorerBuilder rescore = (CrossEncoderRescorerBuilder) request.source().rescores().get(0);
            assertEquals("disk failure", rescore.request().queryText());
            assertEquals(Integer.valueOf(30), rescore.windowSize());
            assertTrue("the _score sort is dropped: rescore refuses any sort", request.source().sorts().isEmpty());
            assertEquals(5, request.source().size());
            assertEquals(List.of("rewritten; bool + cross_encoder rank the query's own matches"),
                ctx.getResponseHeaders().get(TextHybridRerankProcessor.HEADER));
        }
    }

    public void testHybridRrfRanksInsideTheOriginalQuery() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            ThreadContext ctx = new ThreadContext(Settings.EMPTY);
            QueryBuilder original = discover(dql(QueryBuilders.matchQuery("message", "disk failure")));
            SearchRequest request = new SearchRequest("logs").source(new SearchSourceBuilder().query(original));
            create(f, ctx, config("first_stage", "hybrid_rrf", "hybrid", Map.of("rank_constant", 10))).processRequest(request);
            BoolQueryBuilder bool = (BoolQueryBuilder) request.source().query();
            assertEquals(List.of(original), bool.filter());
            HybridRrfQueryBuilder hybrid = (HybridRrfQueryBuilder) bool.should().get(0);
            assertEquals(QueryBuilders.matchQuery("message", "disk failure"), hybrid.queries().get(0));
            assertEquals("disk failure", ((TextKnnQueryBuilder) hybrid.queries().get(1)).queryText());
            assertEquals(original, hybrid.filterQuery());
            assertEquals(10, hybrid.rankConstant());
        }
    }

    public void testOnlyClausesOnAnalysedTextFieldsMakeTheText() {
        Object[][] cases = {
            { QueryBuilders.matchQuery("level", "ERROR"), null },
            { QueryBuilders.matchQuery("nowhere", "ERROR"), null },
            { QueryBuilders.matchPhraseQuery("message", "disk failure"), "disk failure" },
            { QueryBuilders.multiMatchQuery("disk").field("level").field("bytes"), null },
            { QueryBuilders.multiMatchQuery("disk").field("mess*"), "disk" },
            { QueryBuilders.multiMatchQuery("disk").lenient(true), "disk" }, // no fields: the default field *, which has text
            { QueryBuilders.simpleQueryStringQuery("disk").field("message.keyword"), null },
            { QueryBuilders.boolQuery().filter(QueryBuilders.matchQuery("message", "disk")).filter(QueryBuilders.matchQuery("title", "nfs")),
                "disk nfs" },
            { QueryBuilders.boolQuery().must(QueryBuilders.matchQuery("message", "disk")).mustNot(QueryBuilders.matchQuery("message", "debug")),
                "disk" },
            { QueryBuilders.queryStringQuery("level:ERROR AND message:(disk failure) NOT message:debug"), "disk failure" },
            { QueryBuilders.queryStringQuery("level:ERROR AND bytes:[10 TO 20]"), null },
            { QueryBuilders.queryStringQuery("disk").defaultField("level"), null },
            { QueryBuilders.queryStringQuery("\"disk failure\" timeout"), "disk failure timeout" },
            { QueryBuilders.termQuery("message", "disk"), null } };
        for (Object[] c : cases) {
            TextQueries.Extraction e = TextQueries.of((QueryBuilder) c[0], LOGS);
            assertEquals(c[0].toString(), c[1], e.text());
            assertEquals(c[0].toString(), c[1] == null, e.reason() != null);
        }
        TextQueries.Extraction two = TextQueries.of(QueryBuilders.boolQuery().should(QueryBuilders.matchQuery("message", "disk"))
            .should(QueryBuilders.matchQuery("title", "nfs")).should(QueryBuilders.matchQuery("level", "ERROR")), LOGS);
        assertEquals("the lexical side ranks by the text clauses only",
            QueryBuilders.boolQuery().should(QueryBuilders.matchQuery("message", "disk")).should(QueryBuilders.matchQuery("title", "nfs")),
            two.lexical());
    }

    public void testAFieldIsTextWhenAnyTargetIndexMapsItAsText() {
        TextFields mixed = new TextFields(List.of("logs-1", "logs-2"), List.of(new FieldTypes(Map.of("level", "keyword"), List.of("*")),
            new FieldTypes(Map.of("level", "match_only_text"), List.of("*"))));
        assertEquals("ERROR", TextQueries.of(QueryBuilders.matchQuery("level", "ERROR"), mixed).text());
        TextFields defaults = new TextFields(List.of("logs"), List.of(new FieldTypes(Map.of("message", "text", "level", "keyword"),
            List.of("level"))));
        FieldTypes keyword = new FieldTypes(Map.of("level", "keyword"), List.of("*"));
        TextFields many = new TextFields(List.of("logs-1", "logs-2", "logs-3", "logs-4", "logs-5"), List.of(keyword, keyword, keyword, keyword,
            keyword));
        assertEquals("no clause searches an analysed text field of [logs-1, logs-2, logs-3] and 2 more indices: [level] is not text, "
            + "so the query only filters", TextQueries.of(QueryBuilders.matchQuery("level", "ERROR"), many).reason());
        assertEquals("index.query.default_field decides for a clause without fields",
            "no clause searches an analysed text field of [logs]: [*] is not text, so the query only filters",
            TextQueries.of(QueryBuilders.multiMatchQuery("ERROR"), defaults).reason());
    }

    public void testWhatItCannotUnderstandPassesThroughWithAReason() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            Object[][] cases = {
                { new SearchSourceBuilder().query(QueryBuilders.matchAllQuery()),
                    "no clause of [match, match_phrase, match_phrase_prefix, match_bool_prefix, multi_match, query_string, simple_query_string]" },
                { new SearchSourceBuilder().query(QueryBuilders.queryStringQuery("*")), "the query text [*] matches everything" },
                { new SearchSourceBuilder().query(QueryBuilders.matchQuery("message", "x")).sort("@timestamp"),
                    "the request sorts by something other than" },
                { new SearchSourceBuilder().query(QueryBuilders.matchQuery("message", "x")).minScore(1), "[min_score]" },
                { new SearchSourceBuilder().query(QueryBuilders.boolQuery().should(QueryBuilders.termQuery("a", "x"))), "no clause of" },
                { new SearchSourceBuilder(), "the request has no query" },
                { new SearchSourceBuilder().query(QueryBuilders.matchQuery("message", "x")).size(0), "the request asks for no hits ([size] 0)" } };
            for (Object[] c : cases) {
                ThreadContext ctx = new ThreadContext(Settings.EMPTY);
                SearchSourceBuilder source = (SearchSourceBuilder) c[0];
                SearchSourceBuilder copy = source.shallowCopy();
                SearchRequest request = new SearchRequest("logs").source(source);
                create(f, ctx, config()).processRequest(request);
                assertEquals("unchanged", copy, request.source());
                String header = ctx.getResponseHeaders().get(TextHybridRerankProcessor.HEADER).get(0);
                assertTrue(header + " should contain " + c[1], header.startsWith("passthrough; ") && header.contains((String) c[1]));
            }
            ThreadContext ctx = new ThreadContext(Settings.EMPTY);
            SearchRequest remote = new SearchRequest("other:logs").source(new SearchSourceBuilder().query(QueryBuilders.matchQuery("message", "x")));
            create(f, ctx, config(), r -> { throw new IllegalArgumentException("no such index [other:logs]"); }).processRequest(remote);
            assertEquals(List.of("passthrough; the field types of [other:logs] cannot be read here: no such index [other:logs]"),
                ctx.getResponseHeaders().get(TextHybridRerankProcessor.HEADER));
            ThreadContext unicode = new ThreadContext(Settings.EMPTY);
            create(f, unicode, config()).processRequest(new SearchRequest("logs").source(new SearchSourceBuilder()
                .query(QueryBuilders.matchQuery("nivå", "FEL"))));
            assertEquals("a header value stays ASCII", List.of("passthrough; no clause searches an analysed text field of [logs]: [niv?] is not "
                + "text, so the query only filters"), unicode.getResponseHeaders().get(TextHybridRerankProcessor.HEADER));
        }
    }

    public void testConfigurationErrors() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            ThreadContext ctx = new ThreadContext(Settings.EMPTY);
            Object[][] cases = {
                { new Object[] { "vector_field", null }, "[vector_field] required property is missing" },
                { new Object[] { "first_stage", "sum" }, "must be one of [hybrid_rrf, bool], got [sum]" },
                { new Object[] { "first_stage", null, "hybrid", Map.of("rank_constant", 0) },
                    "[hybrid_rrf] [rank_constant] must be >= 1, got [0]" },
                { new Object[] { "hybrid", Map.of("rank_constant", 10) }, "[hybrid] applies to [first_stage] [hybrid_rrf] only" },
                { new Object[] { "first_stage", null, "hybrid", Map.of("filter", Map.of()) }, "[hybrid.filter] is made by the processor" },
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
