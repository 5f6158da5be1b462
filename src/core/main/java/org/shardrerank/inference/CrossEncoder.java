package org.shardrerank.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.shardrerank.util.Releasable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * A cross-encoder: scores (query, document) pairs. The one entry point callers use; tokenization, windowing,
 * batching and ONNX Runtime stay behind it. Thread-safe, one instance per model version per node.
 */
public final class CrossEncoder implements ModelRuntime {
    /** Characters of a document worth tokenizing per model token, generously: word-pieces average ~4-5. */
    private static final int CHARS_PER_TOKEN = 12;

    private final PairTokenizer tokenizer;
    private final OnnxRunner runner;
    private final OutputHead head;
    private final OutputHead.Activation activation;
    private final int maxLength;
    private final NativeLifetime lifetime;

    private CrossEncoder(PairTokenizer tokenizer, OnnxRunner runner, OutputHead head, OutputHead.Activation activation, int maxLength,
                         String name) {
        this.tokenizer = tokenizer;
        this.runner = runner;
        this.head = head;
        this.activation = activation;
        this.maxLength = maxLength;
        this.lifetime = new NativeLifetime(name, this::free);
    }

    public static CrossEncoder load(InferenceEnvironment env, Path model, Path tokenizerJson, OutputHead head,
                                    OutputHead.Activation activation, int maxLength, long padId) throws IOException {
        PairTokenizer tokenizer = PairTokenizer.load(tokenizerJson);
        try {
            OrtSession session = env.createSession(model);
            try {
                return new CrossEncoder(tokenizer, new OnnxRunner(new EncoderSession(env.ort(), session, padId), head), head, activation,
                    maxLength, model.toString());
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        } catch (OrtException | RuntimeException e) {
            tokenizer.close();
            throw new IOException("cannot load ONNX model [" + model.getFileName() + "]: " + e.getMessage(), e);
        }
    }

    public int maxLength() {
        return maxLength;
    }

    /** What turns the model's raw output into the score, e.g. "sigmoid(logit)". */
    public String activationName() {
        return head.describe(activation);
    }

    /** The score as a probability of relevance (see {@link OutputHead#probability}). */
    public float probability(float score) {
        return head.probability(score, activation);
    }

    public int queryTokens(String query) {
        try (Releasable inUse = lifetime.acquire()) {
            return tokenizer.ids(query).length;
        }
    }

    public int specialTokens() {
        return tokenizer.specialTokens();
    }

    /**
     * Scores every document against the query. The batches are handed to {@code runs} (the node's scheduler), which
     * waits for them at most {@code options.timeoutNanos()} from the start of this call. The tokenized window and each
     * model run in flight are charged to {@code budget} while they are held.
     *
     * @throws InferenceTimeoutException when the batches did not finish in time
     * @throws InferenceCancelledException when the request was cancelled meanwhile
     * @throws java.util.concurrent.RejectedExecutionException when the scheduler refuses work (queue full)
     * @throws MemoryLimitException when the memory would go over the budget
     */
    public Result score(String query, List<String> docs, ScoreOptions options, ModelRuns runs, MemoryBudget budget) {
        try (Releasable inUse = lifetime.acquire(); MemoryCharge window = new MemoryCharge(budget)) {
            return score(query, docs, options, runs, budget, window, System.nanoTime());
        }
    }

    private Result score(String query, List<String> docs, ScoreOptions options, ModelRuns runs, MemoryBudget budget,
                         MemoryCharge window, long started) {
        long[] q = tokenizer.ids(query);
        int charLimit = options.maxChunks() * options.maxLength() * CHARS_PER_TOKEN;
        List<String> cut = new ArrayList<>(docs.size());
        for (String d : docs) {
            if (d.length() > charLimit) {
                d = d.substring(0, charLimit);
                window.add(MemoryEstimates.text(d), "cross_encoder window texts");
            }
            cut.add(d);
        }
        List<long[]> docIds = tokenizer.ids(cut);
        window.add(MemoryEstimates.ids(docIds), "cross_encoder window token ids of " + docs.size() + " documents");
        List<Chunk> rows = new ArrayList<>();
        int[] firstRow = new int[docs.size() + 1];
        int[] docTokens = new int[docs.size()];
        for (int d = 0; d < docs.size(); d++) {
            firstRow[d] = rows.size();
            List<Chunk> chunks = tokenizer.chunks(d, q, docIds.get(d), options.maxLength(), options.stride(), options.maxChunks());
            window.add(MemoryEstimates.rows(chunks), "cross_encoder window rows");
            for (Chunk c : chunks) {
                docTokens[d] += c.length() - q.length - tokenizer.specialTokens();
            }
            rows.addAll(chunks);
        }
        firstRow[docs.size()] = rows.size();
        List<List<Chunk>> batches = BatchPlanner.plan(rows, options.batchSize(), options.maxBatchTokens());
        float[][] outputs = run(batches, rows, started, options.timeoutNanos(), runs, budget);

        List<PairScore> scores = new ArrayList<>(docs.size());
        int[] decisive = new int[1];
        for (int d = 0; d < docs.size(); d++) {
            float[] chunkScores = new float[firstRow[d + 1] - firstRow[d]];
            for (int c = 0; c < chunkScores.length; c++) {
                chunkScores[c] = head.score(outputs[firstRow[d] + c], activation);
            }
            float pooled = options.pooling().pool(chunkScores, decisive);
            float[] raw = outputs[firstRow[d] + Math.max(decisive[0], 0)];
            scores.add(new PairScore(pooled, raw, chunkScores.length, decisive[0], docTokens[d]));
        }
        long padded = 0, real = 0;
        for (List<Chunk> b : batches) {
            padded += BatchPlanner.paddedTokens(b);
            for (Chunk c : b) {
                real += c.length();
            }
        }
        return new Result(scores, rows.size(), batches.size(), real, padded, System.nanoTime() - started);
    }

    /**
     * Output rows in the order of {@code rows}. The runs hold a reference to this model until the last one ends, which
     * may be after a timeout let the caller go.
     */
    private float[][] run(List<List<Chunk>> batches, List<Chunk> rows, long started, long timeout, ModelRuns runs, MemoryBudget budget) {
        float[][][] outputs = new float[batches.size()][][];
        Releasable inUse = lifetime.acquire();
        runs.runAll(batches.size(), b -> outputs[b] = runBatch(batches.get(b), budget), started, timeout, inUse::close);
        IdentityHashMap<Chunk, float[]> byChunk = new IdentityHashMap<>();
        for (int b = 0; b < batches.size(); b++) {
            List<Chunk> batch = batches.get(b);
            for (int i = 0; i < batch.size(); i++) {
                byChunk.put(batch.get(i), outputs[b][i]);
            }
        }
        float[][] ordered = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            ordered[i] = byChunk.get(rows.get(i));
        }
        return ordered;
    }

    /** Charges the run's memory on the thread that runs it, so only the runs in flight hold their share. */
    private float[][] runBatch(List<Chunk> batch, MemoryBudget budget) {
        try (MemoryCharge memory = new MemoryCharge(budget)) {
            int length = BatchPlanner.longest(batch);
            memory.add(MemoryEstimates.batch(batch.size(), length, MemoryEstimates.BERT_BASE, 0),
                "cross_encoder model run of " + batch.size() + " x " + length + " tokens");
            return runner.run(batch);
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed: " + e.getMessage(), e);
        }
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

    /**
     * Scores of one call, in document order, and what it cost.
     *
     * @param rows          model rows (chunks) scored
     * @param batches       model runs
     * @param tokens        real tokens scored
     * @param paddedTokens  tokens the model processed, padding included
     * @param nanos         wall time of the call
     */
    public record Result(List<PairScore> scores, int rows, int batches, long tokens, long paddedTokens, long nanos) {}
}
