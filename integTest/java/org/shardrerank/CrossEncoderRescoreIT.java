package org.shardrerank;

import org.junit.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The cross_encoder rescorer over REST on a real node (OpenSearch 3.6.0 with k-NN, or Elasticsearch 9.5.3) with this plugin installed. */
public class CrossEncoderRescoreIT extends RerankRestTestCase {

    private void createDocs(int shards) throws IOException {
        call("PUT", "/docs", "{\"settings\":{\"number_of_shards\":" + shards + ",\"number_of_replicas\":0},"
            + "\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"},\"text\":{\"type\":\"text\"},\"year\":{\"type\":\"integer\"}}}}");
        Map<String, String> docs = goldfishDocs();
        bulk("docs", docs);
    }

    private static String rerank(String extra) {
        return "{\"size\":10,\"query\":{\"match\":{\"text\":\"goldfish\"}},"
            + "\"rescore\":{\"window_size\":100,\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"do goldfish grow\","
            + "\"fields\":[\"title\",\"text\"]" + extra + "}}}";
    }

    @Test
    public void testPluginsAreInstalled() throws IOException {
        Map<String, Object> nodes = call("GET", "/_nodes/plugins", null);
        String text = nodes.toString();
        assertTrue(text, text.contains("shard-rerank"));
        if (ENGINE.vectorPlugin() != null) {
            assertTrue(text, text.contains(ENGINE.vectorPlugin()));
        }
        Map<String, Object> models = call("GET", ENGINE.restPrefix() + "/models", null);
        String m = models.toString();
        assertTrue(m, m.contains("name=overlap-logit"));
        assertTrue(m, m.contains("name=overlap-2class"));
        assertEquals("cpu", onlyNode(models).get("device"));
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testRescoreOnSeveralShardsRanksByTheModel() throws IOException {
        createDocs(3);
        Map<String, Object> first = call("POST", "/docs/_search", "{\"size\":10,\"query\":{\"match\":{\"text\":\"goldfish\"}}}");
        assertEquals(6, ids(first).size());

        Map<String, Object> reranked = call("POST", "/docs/_search", rerank(""));
        List<String> ids = ids(reranked);
        assertEquals(6, ids.size());
        // overlap-logit counts query word-pieces (do, gold, ##fish, grow) found in title + text, minus 0.001 x length
        assertEquals("all four query terms, shortest text", "2", ids.get(0));
        // three terms each: "do, gold, ##fish" in 8 tokens beats "gold, ##fish, grow" in 10
        assertEquals("5", ids.get(1));
        assertEquals("6", ids.get(2));
        List<Map<String, Object>> hits = hits(reranked);
        assertEquals(4.0, ((Number) hits.get(0).get("_score")).doubleValue(), 0.05);
        for (int i = 1; i < hits.size(); i++) {
            assertTrue(((Number) hits.get(i - 1).get("_score")).doubleValue() >= ((Number) hits.get(i).get("_score")).doubleValue());
        }
        assertEquals("repeated searches give the same order", ids, ids(call("POST", "/docs/_search", rerank(""))));

        Map<String, Object> stats = onlyNode(call("GET", ENGINE.restPrefix() + "/stats", null));
        assertTrue(stats.toString(), ((Number) stats.get("rescore_requests")).longValue() >= 3);
        assertTrue(stats.toString(), ((Number) stats.get("pairs")).longValue() >= 6);
        assertEquals("cpu", stats.get("device"));
        Map<String, Object> model = (Map<String, Object>) ((Map<String, Object>) stats.get("models")).get("overlap-logit");
        assertEquals("loaded", model.get("state"));
        assertTrue(model.toString(), ((Number) model.get("pairs")).longValue() >= 6);
        assertTrue(model.toString(), ((Number) model.get("latency_p99_ms")).doubleValue() > 0);
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testExplainShowsFirstStageRawOutputAndActivation() throws IOException {
        createDocs(2);
        Map<String, Object> r = call("POST", "/docs/_search?explain=true", rerank(""));
        Map<String, Object> top = hits(r).get(0);
        Map<String, Object> explanation = (Map<String, Object>) top.get("_explanation");
        assertEquals(((Number) top.get("_score")).doubleValue(), ((Number) explanation.get("value")).doubleValue(), 1e-5);
        String text = explanation.toString();
        assertTrue(text, text.contains("cross_encoder [overlap-logit], score_mode [replace]"));
        assertTrue(text, text.contains("identity(logit)"));
        assertTrue(text, text.contains("document tokens"));
        assertTrue(text, text.contains("first-stage score"));
        assertTrue(text, text.contains("weight(text:goldfish"));
    }

    @Test
    public void testCombineModeAndMinScore() throws IOException {
        createDocs(1);
        Map<String, Object> r = call("POST", "/docs/_search",
            rerank(",\"score_mode\":\"combine\",\"first_stage_scale\":2,\"first_stage_weight\":0.2,\"rerank_weight\":1.0"));
        for (Map<String, Object> h : hits(r)) {
            double s = ((Number) h.get("_score")).doubleValue();
            assertTrue("combined scores lie in [0, 1.2]: " + s, s >= 0 && s <= 1.2 + 1e-6);
        }
        Map<String, Object> filtered = call("POST", "/docs/_search", rerank(",\"min_score\":2.5"));
        assertEquals(List.of("2", "5", "6"), ids(filtered));
    }

    @Test
    public void testLongDocumentsAreChunked() throws IOException {
        call("PUT", "/long", "{\"settings\":{\"number_of_shards\":1},\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        Map<String, String> docs = new LinkedHashMap<>();
        docs.put("late", "{\"text\":\"" + "filler ".repeat(200) + "goldfish grow\"}");
        docs.put("early", "{\"text\":\"goldfish " + "filler ".repeat(200) + "\"}");
        bulk("long", docs);
        String body = "{\"query\":{\"match\":{\"text\":\"filler\"}},\"rescore\":{\"window_size\":10,\"cross_encoder\":{"
            + "\"model\":\"overlap-logit\",\"query_text\":\"goldfish grow\",\"fields\":[\"text\"],\"max_chunks\":16%s}}}";
        assertEquals("max pooling finds the late window", "late", ids(call("POST", "/long/_search", String.format(java.util.Locale.ROOT, body, ""))).get(0));
        assertEquals("first pooling only sees the beginning", "early",
            ids(call("POST", "/long/_search", String.format(java.util.Locale.ROOT, body, ",\"pooling\":\"first\""))).get(0));
        Map<String, Object> explained = call("POST", "/long/_search?explain=true", String.format(java.util.Locale.ROOT, body, ""));
        String text = hits(explained).get(0).get("_explanation").toString();
        assertTrue(text, text.matches("(?s).*chunk \\d+ of \\d+ decided \\(pooling max\\).*"));
    }

    @Test
    public void testBadRequestsGetClearErrors() throws IOException {
        createDocs(2);
        String[][] cases = {
            { rerank("").replace("overlap-logit", "no-such-model"), "unknown model [no-such-model]" },
            { rerank("").replace("overlap-logit", "../overlap-logit"), "invalid model name [../overlap-logit]" },
            { rerank("").replace("\"query_text\":\"do goldfish grow\",", ""), "[cross_encoder] requires a non-empty [query_text]" },
            { rerank("").replace("[\"title\",\"text\"]", "[]"), "[cross_encoder] requires at least one field in [fields]" },
            { rerank(",\"temperature\":2"), "unknown field [temperature]" },
            { rerank("").replace("\"window_size\":100", "\"window_size\":5000"), "above this node's maximum [plugins.shard_rerank.max_window_size]" },
            { rerank("").replace("[\"title\",\"text\"]", "[\"year\"]"), "field [year] is of type [integer]" },
            { rerank(",\"max_length\":1000"), "[max_length] is 1000, above the model [overlap-logit]'s max_length of 64" },
            { rerank(",\"rerank_weight\":2"), "apply to [score_mode] [combine] only" },
            { rerank(",\"score_mode\":\"combine\",\"first_stage_weight\":-1"), "[first_stage_weight] must be a finite number >= 0" } };
        for (String[] c : cases) {
            ErrorResponse e = callExpectingError("POST", "/docs/_search", c[0]);
            assertEquals(c[1] + " -> " + e.text(), 400, e.status());
            assertTrue(c[1] + " not in " + e.text(), e.text().contains(c[1]));
        }
        assertEquals("the node is still healthy", "green",
            call("GET", "/_cluster/health/docs?wait_for_status=green&timeout=10s", null).get("status"));
    }

    @Test
    public void testBrokenModelFailsOnlyItsRequests() throws IOException {
        createDocs(2);
        ErrorResponse e = callExpectingError("POST", "/docs/_search", rerank("").replace("overlap-logit", "broken-checksum"));
        assertEquals(e.text(), 503, e.status());
        assertTrue(e.text(), e.text().contains("model [broken-checksum] is not available on this node: sha256 of [model.onnx] is"));
        assertEquals("other models still serve", "2", ids(call("POST", "/docs/_search", rerank(""))).get(0));
        String models = call("GET", ENGINE.restPrefix() + "/models", null).toString();
        assertTrue(models, models.matches("(?s).*name=broken-checksum, state=failed.*"));
        assertEquals("green", call("GET", "/_cluster/health/docs?wait_for_status=green&timeout=10s", null).get("status"));
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testTimeoutFallsBackToTheFirstStageAndSaysSo() throws IOException {
        call("PUT", "/slow", "{\"settings\":{\"number_of_shards\":1},\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            docs.put("d" + i, "{\"text\":\"" + "goldfish ".repeat(i + 1) + "filler ".repeat(300) + "\"}");
        }
        bulk("slow", docs);
        String first = "{\"size\":20,\"query\":{\"match\":{\"text\":\"goldfish\"}}";
        List<String> firstStage = ids(call("POST", "/slow/_search", first + "}"));
        String rescore = ",\"rescore\":{\"window_size\":20,\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"goldfish\","
            + "\"fields\":[\"text\"],\"max_chunks\":64,\"timeout\":\"1ms\"%s}}}";
        Map<String, Object> r = call("POST", "/slow/_search", first + String.format(java.util.Locale.ROOT, rescore, ""));
        assertEquals("the shard kept its first-stage order", firstStage, ids(r));
        for (Map<String, Object> hit : hits(r)) {
            Map<String, Object> fields = (Map<String, Object>) hit.get("fields");
            assertEquals(hit.toString(), List.of("timeout"), fields.get("_rerank_fallback"));
        }
        Map<String, Object> stats = onlyNode(call("GET", ENGINE.restPrefix() + "/stats", null));
        assertTrue(stats.toString(), ((Number) stats.get("rescore_timeouts")).longValue() >= 1);
        assertTrue(stats.toString(), ((Number) stats.get("rescore_fallbacks")).longValue() >= 1);

        ErrorResponse e = callExpectingError("POST", "/slow/_search", first + String.format(java.util.Locale.ROOT, rescore, ",\"on_timeout\":\"fail\""));
        assertEquals(e.text(), 504, e.status());
        assertTrue(e.text(), e.text().contains("did not finish within"));
    }

    /** A rescore of {@code size} hits over a window of long documents: 64 model runs per document, one at a time. */
    private static final String LONG_RESCORE = "{\"size\":%d,\"query\":{\"match\":{\"text\":\"goldfish\"}},\"rescore\":{\"window_size\":%d,"
        + "\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"goldfish\",\"fields\":[\"text\"],\"max_chunks\":64,"
        + "\"batch_size\":1,\"timeout\":\"10m\"}}}";

    /** One shard of {@code count} documents of ~3,000 words (64 windows of the fixture model each) that all match "goldfish". */
    private void longDocuments(String index, int count) throws IOException {
        call("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1},\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            docs.put(index + i, "{\"text\":\"goldfish " + "filler words ".repeat(1500) + i + "\"}");
        }
        bulk(index, docs);
    }

    /** The id of a running search task, once the node lists one. */
    @SuppressWarnings("unchecked")
    private String awaitSearchTask() throws Exception {
        for (int i = 0; i < 200; i++) {
            Map<String, Object> tasks = call("GET", "/_tasks?actions=indices:data/read/search", null);
            for (Object node : ((Map<String, Object>) tasks.get("nodes")).values()) {
                for (String id : ((Map<String, Object>) ((Map<String, Object>) node).get("tasks")).keySet()) {
                    return id;
                }
            }
            Thread.sleep(20);
        }
        return null;
    }

    /** Cancelling a search (the tasks API, or a client's own timeout) drops its model runs not started yet. */
    @SuppressWarnings("unchecked")
    @Test
    public void testACancelledSearchStopsItsModelRuns() throws Exception {
        longDocuments("cancel", 300);
        // 300 documents x 64 windows, one model run each: far longer than the test waits
        String body = String.format(java.util.Locale.ROOT, LONG_RESCORE, 10, 300);
        long cancellationsBefore = pluginStat("rescore_cancellations");
        long pairsBefore = pluginStat("pairs");
        java.util.concurrent.CompletableFuture<Object> search = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return call("POST", "/cancel/_search", body);
            } catch (IOException e) {
                return e;
            }
        });
        String taskId = awaitSearchTask();
        assertNotNull("the search task was found", taskId);
        assertFalse("the search is still running when it is cancelled", search.isDone());
        long cancelled = System.nanoTime();
        call("POST", "/_tasks/" + taskId + "/_cancel", null);
        Object outcome = search.get(60, java.util.concurrent.TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - cancelled) / 1e9;
        assertTrue("the search ended soon after its cancellation, not after its 19,200 model runs: " + seconds + " s", seconds < 20);
        assertTrue(outcome.toString(), outcome instanceof IOException || outcome.toString().contains("cancel"));
        assertEquals(cancellationsBefore + 1, pluginStat("rescore_cancellations"));
        assertEquals("a cancelled rescore scores nothing", pairsBefore, pluginStat("pairs"));
        assertEquals(10, hits(call("POST", "/cancel/_search", body.replace("\"window_size\":300", "\"window_size\":10"))).size());
    }

    /** Requests take turns on the inference threads: a small rescore is not queued behind every run of a large one. */
    @Test
    public void testASmallRescoreIsNotStuckBehindALargeOne() throws Exception {
        longDocuments("fair", 300);
        long started = System.nanoTime();
        java.util.concurrent.CompletableFuture<Long> large = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                call("POST", "/fair/_search", String.format(java.util.Locale.ROOT, LONG_RESCORE, 5, 300));
                return System.nanoTime();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        awaitSearchTask();
        assertFalse("the large rescore (19,200 model runs) is still running", large.isDone());
        call("POST", "/fair/_search", String.format(java.util.Locale.ROOT, LONG_RESCORE, 5, 2));
        long smallDone = System.nanoTime();
        long largeDone = large.get(120, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(String.format(java.util.Locale.ROOT, "the small rescore (128 runs) ended at %.1f s, after the large one (%.1f s)",
            (smallDone - started) / 1e9, (largeDone - started) / 1e9), smallDone < largeDone);
    }
}
