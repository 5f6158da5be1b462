package org.shardrerank.inference;

import org.shardrerank.settings.SettingSpecs;
import org.junit.Test;
import org.opensearch.test.OpenSearchTestCase;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.OpenSearchExecutors;
import org.opensearch.core.concurrency.OpenSearchRejectedExecutionException;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.shardrerank.opensearch.util.BreakerBudget;
import org.opensearch.core.common.unit.ByteSizeUnit;
import org.opensearch.indices.breaker.BreakerSettings;
import org.opensearch.indices.breaker.HierarchyCircuitBreakerService;
import org.shardrerank.TestModels;
import org.junit.After;
import org.junit.Before;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.hamcrest.Matchers.containsString;

/**
 * What scoring charges to a real child breaker of OpenSearch's breaker service: held while the work runs, given back
 * after success, failure, rejection and timeout, and a {@link CircuitBreakingException} naming the breaker when over.
 */
public class MemoryAccountingTests extends OpenSearchTestCase {
    private static final String QUERY = "do goldfish grow";
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private CrossEncoder encoder;

    @Before
    public void load() throws IOException {
        encoder = RuntimeLifetimeTests.encoder();
    }

    @After
    public void close() throws InterruptedException {
        encoder.close();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** The node's breaker as OpenSearch makes it, with a parent that counts estimates only (no real heap in the test). */
    static CircuitBreaker breaker(long limitBytes) {
        Settings settings = Settings.builder().put(HierarchyCircuitBreakerService.USE_REAL_MEMORY_USAGE_SETTING.getKey(), false).build();
        return new HierarchyCircuitBreakerService(settings, List.of(new BreakerSettings(SettingSpecs.BREAKER_NAME, limitBytes, 1.0)),
            new ClusterSettings(settings, ClusterSettings.BUILT_IN_CLUSTER_SETTINGS)).getBreaker(SettingSpecs.BREAKER_NAME);
    }

    private static List<String> docs(int count, int repeats) {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            docs.add(("goldfish " + i + " grow in a large tank ").repeat(repeats));
        }
        return docs;
    }

    private static ScoreOptions options(int maxChunks, int batchSize, long timeoutNanos) {
        return new ScoreOptions(64, 8, maxChunks, Pooling.MAX, batchSize, 8192, timeoutNanos);
    }

    @Test

    public void testEstimateOfABertBaseRun() {
        // 8 x 256 tokens, each: 48 input bytes + 4 x (2 x 12 heads x 256 + 6 x 768 hidden) floats; what the default limit is sized by
        assertEquals(2048L * 43_056, MemoryEstimates.batch(8, 256, MemoryEstimates.BERT_BASE, 0));
    }

    @Test

    public void testWindowIsHeldWhileItsRunsWorkAndEverythingIsReturnedAfter() {
        CircuitBreaker breaker = breaker(ByteSizeUnit.MB.toBytes(100));
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        Executor watching = task -> pool.execute(() -> {
            seen.add(breaker.getUsed());
            task.run();
        });
        CrossEncoder.Result r = encoder.score(QUERY, docs(20, 3), options(4, 2, MINUTE), TestRuns.on(watching), new BreakerBudget(breaker));
        assertEquals(20, r.scores().size());
        assertFalse(seen.isEmpty());
        assertTrue("the window's ids and rows are charged while its runs wait: " + seen, seen.stream().allMatch(b -> b > 0));
        assertEquals(0, breaker.getUsed());
        assertEquals(0, breaker.getTrippedCount());
    }

    @Test

    public void testModelRunOverTheLimitTripsAndGivesEverythingBack() {
        // room for the window (a few KB) and for a run of 1 x 8 tokens, not for any run of this request
        CircuitBreaker breaker = breaker(MemoryEstimates.batch(1, 8, MemoryEstimates.BERT_BASE, 0));
        MemoryLimitException e = expectThrows(MemoryLimitException.class,
            () -> encoder.score(QUERY, docs(20, 1), options(4, 8, MINUTE), TestRuns.on(pool), new BreakerBudget(breaker)));
        assertThat(e.getMessage(), containsString("[shard_rerank] Data too large, data for [cross_encoder model run of 8 x "));
        assertEquals(0, breaker.getUsed());
        assertTrue(breaker.getTrippedCount() >= 1);
    }

    @Test

    public void testHugeWindowTripsBeforeAnyModelRun() {
        CircuitBreaker breaker = breaker(ByteSizeUnit.MB.toBytes(1));
        AtomicInteger runs = new AtomicInteger();
        Executor counting = task -> {
            runs.incrementAndGet();
            pool.execute(task);
        };
        // 200 documents of ~480 tokens, 8 rows each: their ids and rows pass 1 MB before a model run is queued
        MemoryLimitException e = expectThrows(MemoryLimitException.class,
            () -> encoder.score(QUERY, docs(200, 60), options(64, 8, MINUTE), TestRuns.on(counting), new BreakerBudget(breaker)));
        assertThat(e.getMessage(), containsString("[shard_rerank] Data too large, data for [cross_encoder window "));
        assertEquals(0, runs.get());
        assertEquals(0, breaker.getUsed());
    }

    @Test

    public void testTimeoutGivesEverythingBackOnceAbandonedRunsEnd() throws Exception {
        CircuitBreaker breaker = breaker(ByteSizeUnit.MB.toBytes(100));
        expectThrows(InferenceTimeoutException.class, () -> encoder.score(QUERY, docs(50, 3), options(4, 1, 1), TestRuns.on(pool), new BreakerBudget(breaker)));
        assertBusy(() -> assertEquals(0, breaker.getUsed()));
    }

    /** The kind of executor the node's shard_rerank_inference pool is: fixed threads and a bounded queue. */
    private static ExecutorService nodePool(int threads, int queueSize) {
        return OpenSearchExecutors.newFixed("test_inference", threads, queueSize, OpenSearchExecutors.daemonThreadFactory("test"),
            new ThreadContext(Settings.EMPTY));
    }

    private static void shutdown(ExecutorService pool) throws InterruptedException {
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test

    public void testOneRequestTakesNoMoreQueueSlotsThanThePoolHasThreads() throws Exception {
        CircuitBreaker breaker = breaker(ByteSizeUnit.MB.toBytes(100));
        ExecutorService bounded = nodePool(1, 1);
        try {
            // 50 model runs through a pool that holds 2 tasks at once: one worker runs them all
            CrossEncoder.Result r = encoder.score(QUERY, docs(50, 3), options(4, 1, MINUTE), TestRuns.on(bounded), new BreakerBudget(breaker));
            assertEquals(50, r.scores().size());
            assertTrue(r.batches() >= 50);
            assertEquals(0, breaker.getUsed());
        } finally {
            shutdown(bounded);
        }
    }

    @Test

    public void testFullQueueOfTheNodesExecutorGivesEverythingBack() throws Exception {
        CircuitBreaker breaker = breaker(ByteSizeUnit.MB.toBytes(100));
        ExecutorService bounded = nodePool(1, 1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            // other requests hold the pool's thread and its queue slot
            for (int i = 0; i < 2; i++) {
                bounded.execute(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            expectThrows(OpenSearchRejectedExecutionException.class,
                () -> encoder.score(QUERY, docs(50, 3), options(4, 1, MINUTE), TestRuns.on(bounded), new BreakerBudget(breaker)));
            assertEquals(0, breaker.getUsed());
        } finally {
            release.countDown();
            shutdown(bounded);
        }
    }

    @Test

    public void testEmbeddingRunOverTheLimitTrips() throws IOException {
        Path dir = TestModels.folder("all-minilm-l6-v2");
        CircuitBreaker breaker = breaker(ByteSizeUnit.KB.toBytes(64));
        try (TextEmbedder embedder = TextEmbedder.load(new InferenceEnvironment(false, 0, 1), dir.resolve("all-minilm-l6-v2-q.onnx"),
            dir.resolve("all-minilm-l6-v2-q-tokenizer.json"), VectorPooling.MEAN, true, 384, 256, 0)) {
            MemoryLimitException e = expectThrows(MemoryLimitException.class,
                () -> embedder.embed(List.of("goldfish grow in ponds", "cats sleep"), 8, 8192, new BreakerBudget(breaker), () -> {}));
            assertThat(e.getMessage(), containsString("data for [text_embedding model run of 2 x "));
            assertEquals(0, breaker.getUsed());
            assertEquals(384, embedder.embed(List.of("goldfish"), 8, 8192, new BreakerBudget(breaker(ByteSizeUnit.MB.toBytes(100))), () -> {}).vectors()[0].length);
        }
    }
}
