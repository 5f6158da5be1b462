package org.shardrerank.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.opensearch.common.lease.Releasable;
import org.opensearch.core.common.breaker.CircuitBreaker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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

    public int queryTokens(String query) {
        try (Releasable inUse = lifetime.acquire()) {
            return tokenizer.ids(query).length;
        }
    }

    public int specialTokens() {
        return tokenizer.specialTokens();
    }

    /**
     * Scores every document against the query. Batches run on {@code executor} in parallel; the call waits for
     * them at most {@code options.timeoutNanos()}. The tokenized window and each model run in flight are charged to
     * {@code breaker} while they are held.
     *
     * @throws InferenceTimeoutException when the batches did not finish in time
     * @throws java.util.concurrent.RejectedExecutionException when the executor refuses work (queue full)
     * @throws org.opensearch.core.common.breaker.CircuitBreakingException when the memory would go over the breaker's limit
     */
    public Result score(String query, List<String> docs, ScoreOptions options, Executor executor, CircuitBreaker breaker) {
        try (Releasable inUse = lifetime.acquire(); MemoryCharge window = new MemoryCharge(breaker)) {
            return score(query, docs, options, executor, breaker, window, System.nanoTime());
        }
    }

    private Result score(String query, List<String> docs, ScoreOptions options, Executor executor, CircuitBreaker breaker,
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
        float[][] outputs = run(batches, rows, options.timeoutNanos() - (System.nanoTime() - started), executor, breaker);

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
     * Output rows in the order of {@code rows}. The batches go to at most one worker per pool thread, each running the
     * request's next batch until none is left: a request takes that many queue slots whatever its window, so the
     * queue bounds waiting requests, not batches, and one large request cannot overflow it by itself.
     */
    private float[][] run(List<List<Chunk>> batches, List<Chunk> rows, long timeoutNanos, Executor executor, CircuitBreaker breaker) {
        AtomicBoolean abandoned = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        float[][][] outputs = new float[batches.size()][][];
        int workers = Math.min(batches.size(), threads(executor));
        List<CompletableFuture<Void>> futures = new ArrayList<>(workers);
        try {
            for (int w = 0; w < workers; w++) {
                // each worker owns a reference from queue to end: after a timeout its caller lets go, and a batch may still run
                Releasable inUse = lifetime.acquire();
                try {
                    futures.add(CompletableFuture.runAsync(() -> {
                        try (inUse) {
                            for (int b = next.getAndIncrement(); b < batches.size() && abandoned.get() == false; b = next.getAndIncrement()) {
                                outputs[b] = runBatch(batches.get(b), abandoned, breaker);
                            }
                        }
                    }, executor));
                } catch (RuntimeException e) {
                    inUse.close();
                    throw e;
                }
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(Math.max(timeoutNanos, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandoned.set(true);
            throw new InferenceTimeoutException("model inference did not finish within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms");
        } catch (InterruptedException e) {
            abandoned.set(true);
            Thread.currentThread().interrupt();
            throw new InferenceException("interrupted while waiting for model inference", e);
        } catch (ExecutionException e) {
            abandoned.set(true);
            Throwable cause = e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new InferenceException("model inference failed: " + cause, cause);
        } catch (RuntimeException e) {
            abandoned.set(true); // e.g. rejected by a full queue: workers already queued must not run
            throw e;
        }
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

    /** Threads of the node's inference pool; for any other executor, as many as the pool would have. */
    private static int threads(Executor executor) {
        return executor instanceof ThreadPoolExecutor pool ? pool.getMaximumPoolSize() : Runtime.getRuntime().availableProcessors();
    }

    /** Charges the run's memory on the thread that runs it, so only the runs in flight hold their share. */
    private float[][] runBatch(List<Chunk> batch, AtomicBoolean abandoned, CircuitBreaker breaker) {
        try (MemoryCharge memory = new MemoryCharge(breaker)) {
            int length = BatchPlanner.longest(batch);
            memory.add(MemoryEstimates.batch(batch.size(), length, MemoryEstimates.BERT_BASE, 0),
                "cross_encoder model run of " + batch.size() + " x " + length + " tokens");
            return runner.run(batch);
        } catch (OrtException e) {
            abandoned.set(true);
            throw new InferenceException("ONNX Runtime failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            abandoned.set(true); // the call fails anyway: the other workers stop after their current batch
            throw e;
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
