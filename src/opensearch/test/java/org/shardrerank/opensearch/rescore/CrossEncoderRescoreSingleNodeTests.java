package org.shardrerank.opensearch.rescore;

import org.shardrerank.rescore.CrossEncoderRequest;
import org.shardrerank.settings.SettingSpecs;
import org.apache.lucene.search.Explanation;
import org.opensearch.action.search.SearchPhaseExecutionException;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.indices.breaker.CircuitBreakerService;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchSingleNodeTestCase;
import org.opensearch.common.xcontent.XContentType;
import org.shardrerank.opensearch.PluginSettings;
import org.shardrerank.opensearch.ShardRerankPlugin;
import org.shardrerank.TestModels;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.stats.StatName;

import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.search.rescore.RescorerBuilder;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

/** The rescorer inside a real (in-JVM) node: parsing, shard context, rescore phase, explain. */
public class CrossEncoderRescoreSingleNodeTests extends OpenSearchSingleNodeTestCase {

    @Override
    protected Collection<Class<? extends Plugin>> getPlugins() {
        return List.of(ShardRerankPlugin.class);
    }

    @Override
    protected Settings nodeSettings() {
        return Settings.builder().put(super.nodeSettings()).put(PluginSettings.MODELS_PATH.getKey(), TestModels.root().toString()).build();
    }

    private void index() {
        client().admin().indices().prepareCreate("docs").setSettings(Settings.builder().put("number_of_shards", 1))
            .setMapping("title", "type=text", "text", "type=text", "year", "type=integer").get();
        String[][] docs = {
            { "1", "Fish", "goldfish goldfish goldfish in a bowl" },
            { "2", "Goldfish growth", "do goldfish grow as large as their tank" },
            { "3", "Pond life", "koi and goldfish live in ponds" },
            { "4", "Cats", "cats chase goldfish" } };
        for (String[] d : docs) {
            client().prepareIndex("docs").setId(d[0]).setSource("{\"title\":\"" + d[1] + "\",\"text\":\"" + d[2] + "\",\"year\":2020}", XContentType.JSON).get();
        }
        client().admin().indices().prepareRefresh("docs").get();
    }

    private CrossEncoderRescorerBuilder rescorer(String query) {
        return rescorer(query, Map.of());
    }

    /** overlap-logit on title and text, with {@code options} added or replaced. */
    private CrossEncoderRescorerBuilder rescorer(String query, Map<String, Object> options) {
        Map<String, Object> map = new HashMap<>(Map.of("model", "overlap-logit", "query_text", query, "fields", List.of("title", "text")));
        map.putAll(options);
        return new CrossEncoderRescorerBuilder(CrossEncoderRequest.fromMap(map), null);
    }

    /** The request as the node parses it from JSON, bound to the node's plugin like a REST request would be. */
    private RescorerBuilder<?> parsed(CrossEncoderRescorerBuilder b, int windowSize) throws IOException {
        b.windowSize(windowSize);
        XContentBuilder x = JsonXContent.contentBuilder();
        b.toXContent(x, ToXContent.EMPTY_PARAMS);
        try (XContentParser p = JsonXContent.jsonXContent.createParser(getInstanceFromNode(NamedXContentRegistry.class),
            DeprecationHandler.THROW_UNSUPPORTED_OPERATION, BytesReference.bytes(x).utf8ToString())) {
            p.nextToken();
            return RescorerBuilder.parseFromXContent(p);
        }
    }

    public void testRescoreReordersTheWindowByTheModel() throws IOException {
        index();
        SearchResponse first = client().prepareSearch("docs").setQuery(QueryBuilders.matchQuery("text", "goldfish")).get();
        assertEquals("BM25 favours the repeated term", "1", first.getHits().getAt(0).getId());

        SearchResponse reranked = client().prepareSearch("docs")
            .setQuery(QueryBuilders.matchQuery("text", "goldfish"))
            .addRescorer(parsed(rescorer("do goldfish grow"), 10))
            .setExplain(true)
            .get();
        SearchHit[] hits = reranked.getHits().getHits();
        assertEquals(4, hits.length);
        assertEquals("the doc with every query term wins", "2", hits[0].getId());
        // doc 2 pairs "do goldfish grow" with "Goldfish growth\ndo goldfish grow as ..." : do, gold, ##fish, grow all found
        assertEquals(4f, hits[0].getScore(), 0.05f);
        for (int i = 1; i < hits.length; i++) {
            assertTrue(hits[i - 1].getScore() >= hits[i].getScore());
        }
        Explanation e = hits[0].getExplanation();
        assertEquals("explain reports the carried score itself", hits[0].getScore(), e.getValue().floatValue(), 0f);
        String text = e.toString();
        assertTrue(text, text.contains("cross_encoder [overlap-logit], score_mode [replace]"));
        assertTrue(text, text.contains("identity(logit)"));
        assertTrue(text, text.contains("the whole document"));
        assertTrue(text, text.contains("first-stage score"));
    }

    public void testWindowSmallerThanHitsKeepsTheRestBelow() throws IOException {
        index();
        SearchResponse r = client().prepareSearch("docs")
            .setQuery(QueryBuilders.matchQuery("text", "goldfish"))
            .addRescorer(parsed(rescorer("cats"), 2))
            .setExplain(true)
            .get();
        SearchHit[] hits = r.getHits().getHits();
        assertEquals(4, hits.length);
        float lowestRescored = Math.min(hits[0].getScore(), hits[1].getScore());
        assertTrue(hits[2].getScore() < lowestRescored && hits[3].getScore() < lowestRescored);
        String text = hits[3].getExplanation().toString();
        assertTrue(text, text.contains("outside the rescore window"));
        assertEquals(hits[3].getScore(), hits[3].getExplanation().getValue().floatValue(), 0f);
    }

    public void testCombineModeExplainMatchesScore() throws IOException {
        index();
        SearchResponse r = client().prepareSearch("docs")
            .setQuery(QueryBuilders.matchQuery("text", "goldfish"))
            .addRescorer(parsed(rescorer("goldfish ponds", Map.of("score_mode", "combine", "first_stage_weight", 0.5f,
                "rerank_weight", 2f, "first_stage_scale", 1f)), 10))
            .setExplain(true)
            .get();
        for (SearchHit h : r.getHits().getHits()) {
            assertEquals(h.getExplanation().toString(), h.getScore(), h.getExplanation().getValue().floatValue(), 0f);
            assertTrue(h.getScore() >= 0 && h.getScore() <= 2.5f);
        }
        assertEquals("3", r.getHits().getAt(0).getId());
    }

    public void testShardLevelValidation() {
        index();
        String[][] cases = {
            { "unknown", "unknown model [unknown]; models on this node: [all-minilm-l6-v2, bge-small-en-v1.5, broken-checksum, overlap-2class, overlap-logit]" },
            { "year", "field [year] is of type [integer]" },
            { "maxlen", "[max_length] is 100, above the model [overlap-logit]'s max_length of 64" },
            { "longquery", "[query_text] is 40 tokens long; with [max_length] 64 it may be at most 32 tokens" },
            { "window", "[window_size] is 5000, above this node's maximum [plugins.shard_rerank.max_window_size] of 1000" } };
        for (String[] c : cases) {
            int window = c[0].equals("window") ? 5000 : 10;
            CrossEncoderRescorerBuilder b = switch (c[0]) {
                case "unknown" -> rescorer("goldfish", Map.of("model", "unknown"));
                case "year" -> rescorer("goldfish", Map.of("fields", List.of("title", "year")));
                case "maxlen" -> rescorer("goldfish", Map.of("max_length", 100));
                case "longquery" -> rescorer("goldfish ".repeat(20));
                default -> rescorer("goldfish");
            };
            int w = window;
            Exception e = expectThrows(Exception.class,
                () -> client().prepareSearch("docs").setQuery(QueryBuilders.matchAllQuery()).addRescorer(parsed(b, w)).get());
            String all = e.toString() + " " + Arrays.toString(e.getSuppressed()) + " " + (e.getCause() == null ? "" : e.getCause().toString());
            assertTrue(c[0] + ": " + all, all.contains(c[1]) || detailedMessage(e).contains(c[1]));
        }
    }

    /** A tripped breaker fails the shard with 429 naming the breaker, whatever [on_timeout] says; nothing stays charged. */
    public void testTrippedBreakerIsA429NotAFallback() throws IOException {
        index();
        CircuitBreaker breaker = getInstanceFromNode(CircuitBreakerService.class).getBreaker(SettingSpecs.BREAKER_NAME);
        assertEquals(CircuitBreaker.Durability.TRANSIENT, breaker.getDurability());
        assertEquals(1.0, breaker.getOverhead(), 0.0);
        long defaultLimit = breaker.getLimit();
        assertEquals(PluginSettings.BREAKER_LIMIT.get(Settings.EMPTY).getBytes(), defaultLimit);
        RerankStats stats = getInstanceFromNode(RerankStats.class);
        long tripsBefore = stats.get(StatName.RESCORE_BREAKER_TRIPS);
        // the window's texts and rows (a few KB) fit, its model run of 4 rows (~1 MB by the estimate) does not
        setBreakerLimit("100kb");
        try {
            assertEquals(100 * 1024, breaker.getLimit());
            SearchPhaseExecutionException e = expectThrows(SearchPhaseExecutionException.class, () -> client().prepareSearch("docs")
                .setQuery(QueryBuilders.matchQuery("text", "goldfish"))
                .addRescorer(parsed(rescorer("do goldfish grow", Map.of("on_timeout", "keep_first_stage")), 10))
                .get());
            assertEquals(RestStatus.TOO_MANY_REQUESTS, e.status());
            String message = detailedMessage(e);
            assertTrue(message, message.contains("[shard_rerank] Data too large, data for [cross_encoder model run of 4 x "));
            assertEquals(tripsBefore + 1, stats.get(StatName.RESCORE_BREAKER_TRIPS));
            assertEquals(0, breaker.getUsed());
        } finally {
            setBreakerLimit(null);
        }
        assertEquals(defaultLimit, breaker.getLimit());
        SearchResponse r = client().prepareSearch("docs").setQuery(QueryBuilders.matchQuery("text", "goldfish"))
            .addRescorer(parsed(rescorer("do goldfish grow"), 10)).get();
        assertEquals("2", r.getHits().getAt(0).getId());
        assertEquals(0, breaker.getUsed());
    }

    private void setBreakerLimit(String limit) {
        client().admin().cluster().prepareUpdateSettings()
            .setTransientSettings(Settings.builder().put(PluginSettings.BREAKER_LIMIT.getKey(), limit)).get();
    }

    private static String detailedMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
            if (c instanceof org.opensearch.action.search.SearchPhaseExecutionException spe) {
                for (var f : spe.shardFailures()) {
                    sb.append(f.reason()).append(" | ");
                }
            }
        }
        return sb.toString();
    }
}
