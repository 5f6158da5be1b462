package org.shardrerank.inference;

import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.TestModels;
import org.junit.AfterClass;
import org.junit.BeforeClass;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs the fixture cross-encoders (real ONNX files) through ONNX Runtime and DJL. */
public class CrossEncoderTests extends CoreTestCase {
    private static final MemoryBudget NO_LIMIT = MemoryBudget.UNLIMITED;
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static InferenceEnvironment env;
    private static CrossEncoder logit;
    private static CrossEncoder twoClass;
    private static ExecutorService pool;

    @BeforeClass
    public static void load() throws IOException {
        env = new InferenceEnvironment(false, 0, 1);
        logit = load("overlap-logit", OutputHead.LOGIT, OutputHead.Activation.NONE, 64);
        twoClass = load("overlap-2class", OutputHead.BINARY_SOFTMAX, OutputHead.Activation.NONE, 512);
        pool = Executors.newFixedThreadPool(2);
    }

    static CrossEncoder load(String name, OutputHead head, OutputHead.Activation activation, int maxLength) throws IOException {
        Path dir = TestModels.folder(name);
        return CrossEncoder.load(env, dir.resolve("model.onnx"), dir.resolve("tokenizer.json"), head, activation, maxLength, 0);
    }

    @AfterClass
    public static void close() throws InterruptedException {
        logit.close();
        twoClass.close();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        logit = twoClass = null;
        pool = null;
        env = null;
    }

    private static ScoreOptions options(int maxLength, int stride, int maxChunks, Pooling pooling, int batchSize) {
        return new ScoreOptions(maxLength, stride, maxChunks, pooling, batchSize, 8192, MINUTE);
    }

    @Test

    public void testScoresCountQueryTermsFoundInTheDocument() {
        List<String> docs = List.of("goldfish grow in ponds", "cats sleep", "goldfish", "do goldfish grow? yes, goldfish grow");
        CrossEncoder.Result r = logit.score("do goldfish grow", docs, options(64, 8, 4, Pooling.MAX, 8), TestRuns.on(pool), NO_LIMIT);
        // "do goldfish grow": word-pieces do, gold, ##fish, grow (bert-base-uncased)
        float[] expected = { 3 - 0.001f * 5, 0 - 0.001f * 2, 2 - 0.001f * 2, 4 - 0.001f * 10 };
        for (int i = 0; i < docs.size(); i++) {
            assertEquals(docs.get(i), expected[i], r.scores().get(i).score(), 1e-5);
            assertEquals(1, r.scores().get(i).chunks());
        }
        assertEquals(4, r.rows());
    }

    @Test

    public void testBatchingDoesNotChangeScores() {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 37; i++) {
            docs.add(randomAlphaOfLengthBetween(1, 10) + " goldfish " + "word ".repeat(randomIntBetween(0, 20)));
        }
        CrossEncoder.Result one = logit.score("goldfish grow", docs, options(64, 8, 4, Pooling.MAX, 1), TestRuns.on(pool), NO_LIMIT);
        CrossEncoder.Result many = logit.score("goldfish grow", docs, options(64, 8, 4, Pooling.MAX, 16), TestRuns.on(pool), NO_LIMIT);
        assertEquals(37, one.batches());
        assertTrue(many.batches() <= 3);
        for (int i = 0; i < docs.size(); i++) {
            assertEquals(one.scores().get(i).score(), many.scores().get(i).score(), 1e-6);
        }
        assertTrue("length-sorted batches pad little", many.paddedTokens() < many.tokens() * 1.5);
    }

    @Test

    public void testLongDocumentsAreChunkedAndPooled() {
        // 40 filler tokens then the query terms: with max_length 24 only a late window contains them
        String doc = "filler ".repeat(40) + "goldfish grow";
        String query = "goldfish grow";
        CrossEncoder.Result max = logit.score(query, List.of(doc), options(24, 4, 16, Pooling.MAX, 8), TestRuns.on(pool), NO_LIMIT);
        PairScore s = max.scores().get(0);
        assertTrue("several windows: " + s.chunks(), s.chunks() > 2);
        assertEquals("the last window decided", s.chunks() - 1, s.decisive());
        assertTrue(s.score() > 2.9f);

        PairScore first = logit.score(query, List.of(doc), options(24, 4, 16, Pooling.FIRST, 8), TestRuns.on(pool), NO_LIMIT).scores().get(0);
        assertEquals(0, first.decisive());
        assertTrue(first.score() < 0.1f);

        PairScore mean = logit.score(query, List.of(doc), options(24, 4, 16, Pooling.MEAN, 8), TestRuns.on(pool), NO_LIMIT).scores().get(0);
        assertEquals(-1, mean.decisive());
        assertTrue(mean.score() > first.score() && mean.score() < s.score());

        PairScore capped = logit.score(query, List.of(doc), options(24, 4, 2, Pooling.MAX, 8), TestRuns.on(pool), NO_LIMIT).scores().get(0);
        assertEquals("max_chunks bounds the work", 2, capped.chunks());
        assertTrue(capped.score() < 0.1f);
    }

    @Test

    public void testTwoClassHeadIsSoftmaxOfThePositiveClass() {
        CrossEncoder.Result r = twoClass.score("goldfish", List.of("goldfish", "cats"), options(512, 16, 4, Pooling.MAX, 8), TestRuns.on(pool), NO_LIMIT);
        // x = overlap - 0.001 * doc length; logits (-x, x): softmax positive = sigmoid(2x)
        double x0 = 2 - 0.002, x1 = 0 - 0.001;
        assertEquals(1 / (1 + Math.exp(-2 * x0)), r.scores().get(0).score(), 1e-5);
        assertEquals(1 / (1 + Math.exp(-2 * x1)), r.scores().get(1).score(), 1e-5);
        assertEquals(2, r.scores().get(0).raw().length);
        assertEquals("softmax(logits)[1]", twoClass.activationName());
    }

    @Test

    public void testTimeoutIsReported() {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            docs.add("goldfish " + i);
        }
        ScoreOptions instant = new ScoreOptions(64, 8, 4, Pooling.MAX, 1, 8192, 0);
        expectThrows(InferenceTimeoutException.class, () -> logit.score("goldfish", docs, instant, TestRuns.on(pool), NO_LIMIT));
    }

    @Test

    public void testRejectionPropagates() {
        java.util.concurrent.Executor full = r -> {
            throw new java.util.concurrent.RejectedExecutionException("queue full");
        };
        expectThrows(java.util.concurrent.RejectedExecutionException.class,
            () -> logit.score("goldfish", List.of("a"), options(64, 8, 4, Pooling.MAX, 8), TestRuns.on(full), NO_LIMIT));
    }

    @Test

    public void testBrokenModelFileFailsToLoad() throws IOException {
        Path bad = createTempDir().resolve("model.onnx");
        java.nio.file.Files.write(bad, new byte[] { 1, 2, 3, 4 });
        Path tokenizer = TestModels.folder("overlap-logit").resolve("tokenizer.json");
        IOException e = expectThrows(IOException.class,
            () -> CrossEncoder.load(env, bad, tokenizer, OutputHead.LOGIT, OutputHead.Activation.NONE, 64, 0));
        assertTrue(e.getMessage(), e.getMessage().contains("cannot load ONNX model [model.onnx]"));
    }

    @Test

    public void testOutputShapeMustMatchTheHead() {
        Path dir = TestModels.folder("overlap-2class");
        IOException e = expectThrows(IOException.class, () -> CrossEncoder.load(env, dir.resolve("model.onnx"),
            dir.resolve("tokenizer.json"), OutputHead.LOGIT, OutputHead.Activation.NONE, 64, 0));
        assertTrue(e.getMessage(), e.getMessage().contains("needs [batch, 1]"));
    }

    @Test

    public void testCudaWithoutCudaFallsBackToCpu() throws IOException {
        InferenceEnvironment cuda = new InferenceEnvironment(true, 0, 1);
        assertEquals("cuda", cuda.device());
        Path dir = TestModels.folder("overlap-logit");
        try (CrossEncoder onCpu = CrossEncoder.load(cuda, dir.resolve("model.onnx"), dir.resolve("tokenizer.json"), OutputHead.LOGIT,
            OutputHead.Activation.NONE, 64, 0)) {
            assertEquals("cpu", cuda.device());
            assertNotNull(cuda.fallbackReason());
            assertEquals("gold ##fish: 2 terms, 2 tokens", 2f - 0.002f, onCpu.score("goldfish", List.of("goldfish"), options(64, 8, 4, Pooling.MAX, 8), TestRuns.on(pool), NO_LIMIT).scores().get(0).score(), 1e-5f);
        }
    }
}
