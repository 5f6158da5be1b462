package org.shardrerank.inference;

import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.util.Releasable;
import org.shardrerank.TestModels;
import org.junit.After;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Closing a model while it works: the native memory must outlive every call and every batch, including batches
 * still queued on the inference pool after their caller gave up. Batches are held back by a gate to make that happen.
 */
public class RuntimeLifetimeTests extends CoreTestCase {
    private static final MemoryBudget NO_LIMIT = MemoryBudget.UNLIMITED;
    private static final List<String> DOCS = List.of("goldfish grow in ponds", "cats sleep", "goldfish");
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final GatedExecutor gated = new GatedExecutor(pool);

    @After
    public void stopPool() throws InterruptedException {
        gated.open();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** The overlap-logit fixture on the CPU, max_length 64. */
    static CrossEncoder encoder() throws IOException {
        Path dir = TestModels.folder("overlap-logit");
        return CrossEncoder.load(new InferenceEnvironment(false, 0, 1), dir.resolve("model.onnx"), dir.resolve("tokenizer.json"),
            OutputHead.LOGIT, OutputHead.Activation.NONE, 64, 0);
    }

    private static ScoreOptions options(long timeoutNanos) {
        return new ScoreOptions(64, 8, 4, Pooling.MAX, 1, 8192, timeoutNanos);
    }

    /** Fails while the runtime's native memory is still there (without keeping the probe's reference). */
    public static void assertFreed(ModelRuntime runtime) {
        Releasable probe;
        try {
            probe = runtime.acquire();
        } catch (InferenceException e) {
            return;
        }
        probe.close();
        fail("the model is still open");
    }

    @Test

    public void testClosedWhileScoringFinishesTheCallFirst() throws Exception {
        CrossEncoder encoder = encoder();
        float expected = encoder.score("do goldfish grow", DOCS, options(TimeUnit.MINUTES.toNanos(1)), TestRuns.on(pool), NO_LIMIT).scores().get(0).score();
        CompletableFuture<CrossEncoder.Result> call = CompletableFuture.supplyAsync(
            () -> encoder.score("do goldfish grow", DOCS, options(TimeUnit.MINUTES.toNanos(1)), TestRuns.on(gated), NO_LIMIT));
        assertTrue(gated.awaitQueued(10));
        encoder.close();
        encoder.acquire().close();
        gated.open();
        assertEquals(expected, call.get(10, TimeUnit.SECONDS).scores().get(0).score(), 0f);
        assertFreed(encoder);
    }

    /** A timeout drops the runs not started: nothing of the request holds the model any more, and they never run. */
    @Test
    public void testRunsNotStartedAtATimeoutAreDroppedAndLetTheModelGo() throws Exception {
        CrossEncoder encoder = encoder();
        expectThrows(InferenceTimeoutException.class, () -> encoder.score("goldfish", DOCS, options(TimeUnit.MILLISECONDS.toNanos(50)), TestRuns.on(gated), NO_LIMIT));
        encoder.close();
        assertFreed(encoder);
        gated.open();
    }

    @Test

    public void testRejectedBatchesLetGo() throws IOException {
        CrossEncoder encoder = encoder();
        Executor full = task -> {
            throw new RejectedExecutionException("queue full");
        };
        expectThrows(RejectedExecutionException.class, () -> encoder.score("goldfish", DOCS, options(TimeUnit.MINUTES.toNanos(1)), TestRuns.on(full), NO_LIMIT));
        encoder.close();
        assertFreed(encoder);
    }

    @Test

    public void testAClosedModelRefusesNewCalls() throws IOException {
        CrossEncoder encoder = encoder();
        encoder.close();
        expectThrows(InferenceException.class, () -> encoder.queryTokens("goldfish"));
        expectThrows(InferenceException.class, () -> encoder.score("goldfish", DOCS, options(TimeUnit.MINUTES.toNanos(1)), TestRuns.on(pool), NO_LIMIT));
        Path dir = TestModels.folder("all-minilm-l6-v2");
        TextEmbedder embedder = TextEmbedder.load(new InferenceEnvironment(false, 0, 1), dir.resolve("all-minilm-l6-v2-q.onnx"),
            dir.resolve("all-minilm-l6-v2-q-tokenizer.json"), VectorPooling.MEAN, true, 384, 256, 0);
        assertEquals(384, embedder.embed(List.of("goldfish"), 8, 8192, NO_LIMIT, () -> {}).vectors()[0].length);
        embedder.close();
        expectThrows(InferenceException.class, () -> embedder.embed(List.of("goldfish"), 8, 8192, NO_LIMIT, () -> {}));
    }
}
