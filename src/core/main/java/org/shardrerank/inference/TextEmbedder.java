package org.shardrerank.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.shardrerank.util.Releasable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A bi-encoder: turns texts into vectors. The one entry point callers use; tokenization, batching by length,
 * ONNX Runtime and pooling stay behind it. Thread-safe, one instance per model per node. Texts longer than the
 * model's window are truncated (as sentence-transformers does).
 */
public final class TextEmbedder implements ModelRuntime {
    /** Characters worth tokenizing per model token, generously: word-pieces average ~4-5. */
    private static final int CHARS_PER_TOKEN = 12;

    private final TextTokenizer tokenizer;
    private final EmbeddingRunner runner;
    private final VectorPooling pooling;
    private final boolean normalize;
    private final int dimension;
    private final int maxLength;
    private final MemoryEstimates.Shape shape;
    private final NativeLifetime lifetime;

    private TextEmbedder(TextTokenizer tokenizer, EmbeddingRunner runner, VectorPooling pooling, boolean normalize, int dimension,
                         int maxLength, String name) {
        this.tokenizer = tokenizer;
        this.runner = runner;
        this.pooling = pooling;
        this.normalize = normalize;
        this.dimension = dimension;
        this.maxLength = maxLength;
        this.shape = new MemoryEstimates.Shape(dimension, MemoryEstimates.DEFAULT_HEADS);
        this.lifetime = new NativeLifetime(name, this::free);
    }

    public static TextEmbedder load(InferenceEnvironment env, Path model, Path tokenizerJson, VectorPooling pooling, boolean normalize,
                                    int dimension, int maxLength, long padId) throws IOException {
        TextTokenizer tokenizer = TextTokenizer.load(tokenizerJson, maxLength);
        try {
            OrtSession session = env.createSession(model);
            try {
                return new TextEmbedder(tokenizer, new EmbeddingRunner(new EncoderSession(env.ort(), session, padId), dimension), pooling,
                    normalize, dimension, maxLength, model.toString());
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        } catch (OrtException | RuntimeException e) {
            tokenizer.close();
            throw new IOException("cannot load ONNX model [" + model.getFileName() + "]: " + e.getMessage(), e);
        }
    }

    public int dimension() {
        return dimension;
    }

    /**
     * The vectors of {@code texts}, in order, computed on the calling thread in batches of at most {@code batchSize}
     * rows and {@code maxBatchTokens} padded tokens. The rows and the model run in progress are charged to {@code budget}.
     * {@code betweenRuns} runs before each model run but the first (where ingest lets waiting searches go first).
     *
     * @throws MemoryLimitException when the memory would go over the budget
     */
    public Result embed(List<String> texts, int batchSize, int maxBatchTokens, MemoryBudget budget, Runnable betweenRuns) {
        try (Releasable inUse = lifetime.acquire(); MemoryCharge held = new MemoryCharge(budget)) {
            return embed(texts, batchSize, maxBatchTokens, budget, betweenRuns, held, System.nanoTime());
        }
    }

    private Result embed(List<String> texts, int batchSize, int maxBatchTokens, MemoryBudget budget, Runnable betweenRuns,
                         MemoryCharge held, long started) {
        int charLimit = maxLength * CHARS_PER_TOKEN;
        List<String> cut = new ArrayList<>(texts.size());
        for (String t : texts) {
            cut.add(t.length() > charLimit ? t.substring(0, charLimit) : t);
        }
        List<Chunk> rows = tokenizer.rows(cut);
        held.add(MemoryEstimates.rows(rows), "text_embedding rows of " + texts.size() + " texts");
        float[][] vectors = new float[texts.size()][];
        long tokens = 0, padded = 0;
        List<List<Chunk>> batches = BatchPlanner.plan(rows, batchSize, maxBatchTokens);
        for (List<Chunk> batch : batches) {
            if (batch != batches.get(0)) {
                betweenRuns.run();
            }
            float[][] out;
            int length = BatchPlanner.longest(batch);
            // the token states come back natively and again as a float[] on the heap
            long run = MemoryEstimates.batch(batch.size(), length, shape, 2L * Float.BYTES * dimension);
            try (MemoryCharge memory = new MemoryCharge(budget)) {
                memory.add(run, "text_embedding model run of " + batch.size() + " x " + length + " tokens");
                out = runner.run(batch, pooling);
            } catch (OrtException e) {
                throw new InferenceException("ONNX Runtime failed: " + e.getMessage(), e);
            }
            for (int i = 0; i < batch.size(); i++) {
                vectors[batch.get(i).doc()] = normalize ? VectorPooling.normalize(out[i]) : out[i];
                tokens += batch.get(i).length();
            }
            padded += BatchPlanner.paddedTokens(batch);
        }
        return new Result(vectors, batches.size(), tokens, padded, System.nanoTime() - started);
    }

    @Override
    public Releasable acquire() {
        return lifetime.acquire();
    }

    @Override
    public void close() {
        lifetime.retire();
    }

    private void free() {
        try {
            runner.close();
        } finally {
            tokenizer.close();
        }
    }

    /** Vectors of one call, in text order, and what they cost. */
    public record Result(float[][] vectors, int batches, long tokens, long paddedTokens, long nanos) {}
}
