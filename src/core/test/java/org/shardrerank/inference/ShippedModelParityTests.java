package org.shardrerank.inference;

import org.shardrerank.util.Json;
import org.junit.Test;
import org.shardrerank.CoreTestCase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The committed cross-encoders (v1 models/scifact-minilm-l6-ce, v2 models/scifact-minilm-l4-ce-v2) against what
 * training/parity.py recorded for 100 real SciFact pairs each: the plugin's word-piece ids must equal the training
 * tokenizer's, and the plugin's scores must equal ONNX Runtime's on the same int8 file (the fp32 export equals
 * PyTorch, checked by parity.py: 1e-3).
 */
public class ShippedModelParityTests extends CoreTestCase {
    private static final Path REPO = Path.of(System.getProperty("tests.repo.dir", ".")).toAbsolutePath();
    private static final Path MODEL = REPO.resolve("models/scifact-minilm-l6-ce");
    private static final Path V2 = REPO.resolve("models/scifact-minilm-l4-ce-v2");
    private static final String PAIRS = "training/parity_pairs.jsonl";
    private static final String V2_PAIRS = "training/parity_pairs_v2.jsonl";
    private static final MemoryBudget NO_LIMIT = MemoryBudget.UNLIMITED;

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> pairs(String file) throws IOException {
        List<Map<String, Object>> pairs = new ArrayList<>();
        for (String line : Files.readAllLines(REPO.resolve(file))) {
            pairs.add(Json.parseObject(line));
        }
        assertEquals(100, pairs.size());
        return pairs;
    }

    private static long[] ids(Map<String, Object> pair) {
        return ((List<?>) pair.get("input_ids")).stream().mapToLong(v -> ((Number) v).longValue()).toArray();
    }

    @Test
    public void testWordPiecesEqualTheTrainingTokenizer() throws IOException {
        assertWordPiecesEqual(MODEL, PAIRS);
    }

    @Test
    public void testV2WordPiecesEqualTheTrainingTokenizer() throws IOException {
        assertWordPiecesEqual(V2, V2_PAIRS);
    }

    @Test
    public void testScoresEqualOnnxRuntimeOnTheSameFile() throws IOException, InterruptedException {
        assertScoresEqualOnnxRuntime(MODEL, PAIRS);
    }

    @Test
    public void testV2ScoresEqualOnnxRuntimeOnTheSameFile() throws IOException, InterruptedException {
        assertScoresEqualOnnxRuntime(V2, V2_PAIRS);
    }

    private void assertWordPiecesEqual(Path model, String file) throws IOException {
        try (PairTokenizer tokenizer = PairTokenizer.load(model.resolve("tokenizer.json"))) {
            int truncated = 0;
            for (Map<String, Object> pair : pairs(file)) {
                int maxLength = (Integer) pair.get("max_length");
                long[] query = tokenizer.ids((String) pair.get("query"));
                long[] doc = tokenizer.ids(List.of((String) pair.get("document"))).get(0);
                Chunk row = tokenizer.chunks(0, query, doc, maxLength, 0, 1).get(0);
                assertArrayEquals("pair " + pair.get("query_id") + "/" + pair.get("doc_id"), ids(pair), row.ids());
                truncated += row.length() == maxLength ? 1 : 0;
            }
            assertTrue("the pairs must exercise truncation", truncated > 10);
        }
    }

    private void assertScoresEqualOnnxRuntime(Path modelDir, String file) throws IOException, InterruptedException {
        InferenceEnvironment env = new InferenceEnvironment(false, 0, 1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Map<String, Object>> pairs = pairs(file);
        int maxLength = (Integer) pairs.get(0).get("max_length");
        // one row per batch, as parity.py ran the int8 file: int8 activation scales are taken per batch
        ScoreOptions options = new ScoreOptions(maxLength, 0, 1, Pooling.FIRST, 1, 8192, TimeUnit.MINUTES.toNanos(5));
        double maxDiff = 0, maxVsTorch = 0;
        try (CrossEncoder model = CrossEncoder.load(env, modelDir.resolve("model.onnx"), modelDir.resolve("tokenizer.json"),
            OutputHead.LOGIT, OutputHead.Activation.NONE, maxLength, 0)) {
            for (Map<String, Object> pair : pairs) {
                float score = model.score((String) pair.get("query"), List.of((String) pair.get("document")), options, TestRuns.on(pool), NO_LIMIT)
                    .scores().get(0).score();
                maxDiff = Math.max(maxDiff, Math.abs(score - ((Number) pair.get("onnx_int8_logit")).doubleValue()));
                maxVsTorch = Math.max(maxVsTorch, Math.abs(score - ((Number) pair.get("torch_logit")).doubleValue()));
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        logger.info("{}: plugin vs ONNX Runtime (int8): max abs diff {}; plugin int8 vs PyTorch fp32: {}",
            modelDir.getFileName(), maxDiff, maxVsTorch);
        assertTrue("max abs diff " + maxDiff, maxDiff < 1e-4);
    }

    /**
     * int8 activation scales are taken per batch, so a document's score depends on its batch-mates: the same window in
     * another order (another replica's doc ids) must make the same batches and give every document the same score.
     */
    @Test
    public void testInt8ScoresDoNotDependOnTheWindowOrder() throws IOException, InterruptedException {
        InferenceEnvironment env = new InferenceEnvironment(false, 0, 1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Map<String, Object>> pairs = pairs(PAIRS);
        String query = (String) pairs.get(0).get("query");
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            docs.add("the cells of sample " + i + " grew faster after the treatment than in the control group");
        }
        List<String> rotated = new ArrayList<>(docs);
        java.util.Collections.rotate(rotated, 3); // batches of 8 by window place would now mix other documents
        ScoreOptions options = new ScoreOptions(256, 0, 1, Pooling.FIRST, 8, 8192, TimeUnit.MINUTES.toNanos(5));
        try (CrossEncoder model = CrossEncoder.load(env, MODEL.resolve("model.onnx"), MODEL.resolve("tokenizer.json"),
            OutputHead.LOGIT, OutputHead.Activation.NONE, 256, 0)) {
            List<PairScore> forward = model.score(query, docs, options, TestRuns.on(pool), NO_LIMIT).scores();
            List<PairScore> moved = model.score(query, rotated, options, TestRuns.on(pool), NO_LIMIT).scores();
            for (int i = 0; i < docs.size(); i++) {
                assertEquals(docs.get(i), forward.get(i).score(), moved.get((i + 3) % docs.size()).score(), 0f);
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
