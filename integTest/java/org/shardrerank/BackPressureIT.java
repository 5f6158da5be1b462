package org.shardrerank;

import org.junit.After;
import org.junit.Test;

import java.io.IOException;
import java.util.Map;

/**
 * Back-pressure on the real node: a window over the shard_rerank circuit breaker's limit gets 429 (never 500), is
 * counted, and leaves the node serving with nothing charged; a request with more model runs than the inference pool
 * can queue is served, since it takes one queue slot per pool thread (a full queue: {@link InferenceQueueIT}).
 */
public class BackPressureIT extends RerankRestTestCase {
    private static final String LIMIT = "plugins.shard_rerank.breaker.limit";

    @After
    public void resetLimit() throws IOException {
        setLimit(null);
    }

    private void setLimit(String limit) throws IOException {
        call("PUT", "/_cluster/settings", "{\"persistent\":{\"" + LIMIT + "\":" + (limit == null ? "null" : "\"" + limit + "\"") + "}}");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> breakerStats() throws IOException {
        Map<String, Object> node = onlyNode(call("GET", "/_nodes/stats/breaker", null));
        return (Map<String, Object>) ((Map<String, Object>) node.get("breakers")).get("shard_rerank");
    }

    /** The small index a healthy node reranks as always, next to the request that is refused. */
    private void indexGoldfish() throws IOException {
        call("PUT", "/docs", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}");
        bulk("docs", goldfishDocs());
    }

    private void assertGoldfishStillReranked() throws IOException {
        assertEquals("2", ids(call("POST", "/docs/_search", goldfishRerank(100, "do goldfish grow", ""))).get(0));
    }

    @Test
    public void testWindowOverTheBreakerLimitIs429AndNothingStaysCharged() throws Exception {
        indexGoldfish();
        // 1,000 texts of ~2,500 characters: ~5 MB of strings before a token is made
        indexRepeated("big", 1000, "goldfish swim in a large tank ".repeat(85));
        Map<String, Object> breaker = breakerStats();
        assertEquals(breaker.toString(), 1.0, ((Number) breaker.get("overhead")).doubleValue(), 0.0);
        long trippedBefore = ((Number) breaker.get("tripped")).longValue();
        long tripsBefore = pluginStat("rescore_breaker_trips");

        // a small request needs ~2.5 MB (its model run of 6 rows, by the estimate): it fits under 4 MB, the big window does not
        setLimit("4mb");
        assertEquals(4L << 20, ((Number) breakerStats().get("limit_size_in_bytes")).longValue());
        // on_timeout keep_first_stage does not turn the trip into a silent fallback
        ErrorResponse e = callExpectingError("POST", "/big/_search",
            goldfishRerank(1000, "do goldfish grow", ",\"on_timeout\":\"keep_first_stage\""));
        assertEquals(e.text(), 429, e.status());
        assertTrue(e.text(), e.text().contains("circuit_breaking_exception"));
        assertTrue(e.text(), e.text().contains("[shard_rerank] Data too large, data for [cross_encoder window texts]"));
        assertGoldfishStillReranked();

        assertBusy(() -> assertEquals(0L, ((Number) breakerStats().get("estimated_size_in_bytes")).longValue()));
        assertEquals(trippedBefore + 1, ((Number) breakerStats().get("tripped")).longValue());
        assertEquals(tripsBefore + 1, pluginStat("rescore_breaker_trips"));
        assertEquals("green", call("GET", "/_cluster/health/big?wait_for_status=green&timeout=10s", null).get("status"));

        setLimit(null);
        assertTrue(((Number) breakerStats().get("limit_size_in_bytes")).longValue() > 4L << 20);
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testOneRequestWithMoreModelRunsThanThePoolQueuesIsServed() throws Exception {
        indexGoldfish();
        Map<String, Object> pool = (Map<String, Object>) ((Map<String, Object>) onlyNode(call("GET", "/_nodes/thread_pool", null))
            .get("thread_pool")).get("shard_rerank_inference");
        int threads = ((Number) pool.get("size")).intValue();
        int queue = ((Number) pool.get("queue_size")).intValue();
        // twice as many model runs as the pool holds at once: the request's workers (one per thread) run them all
        int docs = (2 * (queue + threads)) / 64 + 1;
        indexRepeated("long", docs, LONG_TEXT);
        long rejectionsBefore = pluginStat("rescore_rejections");
        long batchesBefore = pluginStat("batches");
        long poolRejectedBefore = poolRejected();

        Map<String, Object> r = call("POST", "/long/_search", goldfishRerank(docs, "goldfish", RUN_PER_CHUNK));
        assertEquals(10, hits(r).size());
        assertTrue(pluginStat("batches") - batchesBefore >= 64L * docs);
        assertEquals(rejectionsBefore, pluginStat("rescore_rejections"));
        assertEquals(poolRejectedBefore, poolRejected());
        assertGoldfishStillReranked();
        assertBusy(() -> assertEquals(0L, ((Number) breakerStats().get("estimated_size_in_bytes")).longValue()));
    }

    @SuppressWarnings("unchecked")
    private long poolRejected() throws IOException {
        Map<String, Object> node = onlyNode(call("GET", "/_nodes/stats/thread_pool", null));
        Map<String, Object> pools = (Map<String, Object>) node.get("thread_pool");
        return ((Number) ((Map<String, Object>) pools.get("shard_rerank_inference")).get("rejected")).longValue();
    }
}
