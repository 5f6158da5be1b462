package org.shardrerank;

import org.junit.ClassRule;
import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A node of its own whose inference pool has 1 thread and a queue of 1: each rescoring takes one slot, so a third
 * concurrent rescoring finds the pool full. It gets 429 naming the queue (never 500 or a silent fallback), is counted,
 * and the node serves the next request as before.
 */
public class InferenceQueueIT extends RerankRestTestCase {
    @ClassRule
    public static final LocalCluster NODE = new LocalCluster(System.getProperty("tests.queue.dir", "target/integ-queue"),
        Integer.getInteger("tests.queue.http.port", 9264), 1,
        "plugins.shard_rerank.inference.size: 1\nplugins.shard_rerank.inference.queue_size: 1");

    @Override
    protected String hosts() {
        return NODE.hosts();
    }

    @Test
    public void testConcurrentRescoringsBeyondThePoolAre429() throws Exception {
        indexRepeated("long", 20, LONG_TEXT);
        String search = goldfishRerank(20, "goldfish", RUN_PER_CHUNK);
        long rejectionsBefore = pluginStat("rescore_rejections");
        int served = 0;
        List<ErrorResponse> refused = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            // each search holds the pool's thread for ~1,280 model runs; six at once leave some without a slot
            for (int round = 0; round < 10 && refused.isEmpty(); round++) {
                List<Future<ErrorResponse>> outcomes = new ArrayList<>();
                for (int c = 0; c < 6; c++) {
                    outcomes.add(clients.submit(() -> errorOf("POST", "/long/_search", search)));
                }
                for (Future<ErrorResponse> outcome : outcomes) {
                    ErrorResponse e = outcome.get();
                    if (e == null) {
                        served++;
                    } else {
                        assertEquals(e.text(), 429, e.status());
                        assertTrue(e.text(), e.text().contains("[cross_encoder] the inference queue is full"));
                        refused.add(e);
                    }
                }
            }
        } finally {
            clients.shutdown();
        }
        assertFalse("no search found the inference pool full", refused.isEmpty());
        assertTrue("no search was served", served > 0);
        assertEquals(rejectionsBefore + refused.size(), pluginStat("rescore_rejections"));
        assertEquals(10, hits(call("POST", "/long/_search", search)).size());
    }
}
