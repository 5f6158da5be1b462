package org.shardrerank.embedding;

import org.shardrerank.inference.InferenceScheduler;
import org.shardrerank.inference.MemoryBudget;
import org.shardrerank.inference.MemoryLimitException;
import org.shardrerank.inference.TextEmbedder;
import org.shardrerank.model.ModelDescriptor;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.settings.SettingSpecs;
import org.shardrerank.stats.StatName;
import org.shardrerank.util.BoundedCache;
import org.shardrerank.util.StatusException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Texts to vectors for the ingest processor and the query: runs the model on the node's inference scheduler, never on
 * the caller's thread, and answers through a future completed on the inference pool. Query texts run in the search lane; documents in the ingest
 * lane, which yields to searches between its model runs. Applies the model's query or document prefix.
 * Query vectors are cached per (model, text).
 */
public final class EmbeddingService {
    private final ModelRegistry models;
    private final RerankStats stats;
    private final BoundedCache<QueryKey, float[]> queryVectors;
    private volatile InferenceScheduler scheduler;
    private volatile MemoryBudget budget;
    private volatile int rowsPerRun;
    private volatile int maxBatchTokens;

    /**
     * @param queryCacheSize query vectors kept ({@link SettingSpecs#EMBEDDING_QUERY_CACHE_SIZE}), 0 for none
     * @param rowsPerRun     texts per model run ({@link SettingSpecs#EMBEDDING_BATCH_SIZE})
     * @param maxBatchTokens padded tokens per model run at most ({@link SettingSpecs#MAX_BATCH_TOKENS})
     */
    public EmbeddingService(ModelRegistry models, RerankStats stats, int queryCacheSize, int rowsPerRun, int maxBatchTokens) {
        this.models = models;
        this.stats = stats;
        this.rowsPerRun = rowsPerRun;
        this.maxBatchTokens = maxBatchTokens;
        this.queryVectors = queryCacheSize == 0 ? null : new BoundedCache<>(queryCacheSize);
    }

    /** Called once the node's thread pools and inference memory budget exist. */
    public void bind(InferenceScheduler inferenceScheduler, MemoryBudget inferenceBudget) {
        this.budget = inferenceBudget; // before the scheduler: work starts once the scheduler is there
        this.scheduler = inferenceScheduler;
    }

    /** A new value of the dynamic setting {@link SettingSpecs#EMBEDDING_BATCH_SIZE}. */
    public void rowsPerRun(int rows) {
        this.rowsPerRun = rows;
    }

    /** A new value of the dynamic setting {@link SettingSpecs#MAX_BATCH_TOKENS}. */
    public void maxBatchTokens(int tokens) {
        this.maxBatchTokens = tokens;
    }

    /** Checks that {@code model} names a model folder of this node (without loading it). */
    public void checkModelExists(String model) {
        ModelDescriptor.requireValidName(model);
        List<String> names = models.names();
        if (names.contains(model) == false) {
            throw new IllegalArgumentException("unknown model [" + model + "]; models on this node: " + names);
        }
    }

    /**
     * The vector of one search text. Cached under the generation of the model version that computed it, and found
     * only while that version serves: after a reload the old vectors no longer match.
     */
    public CompletableFuture<float[]> embedQuery(String model, String text) {
        long serving = models.servingGeneration(model);
        float[] cached = queryVectors == null || serving == 0 ? null : queryVectors.get(new QueryKey(model, serving, text));
        if (cached != null) {
            stats.increment(model, StatName.QUERY_VECTOR_CACHE_HITS);
            return CompletableFuture.completedFuture(cached);
        }
        return run(model, TextRole.QUERY, List.of(text)).thenApply(embedded -> {
            if (queryVectors != null) {
                queryVectors.put(new QueryKey(model, embedded.generation(), text), embedded.vectors()[0]);
            }
            return embedded.vectors()[0];
        });
    }

    /**
     * The vectors of {@code texts}, in order, computed on the inference thread pool. The future fails with a
     * {@link StatusException}, {@link MemoryLimitException}, ... (wrapped in a CompletionException, as futures do).
     */
    public CompletableFuture<float[][]> embed(String model, TextRole role, List<String> texts) {
        return run(model, role, texts).thenApply(Embedded::vectors);
    }

    private CompletableFuture<Embedded> run(String model, TextRole role, List<String> texts) {
        CompletableFuture<Embedded> result = new CompletableFuture<>();
        InferenceScheduler runOn = scheduler;
        if (runOn == null) {
            result.completeExceptionally(new StatusException("the inference thread pool is not ready", StatusException.Status.SERVICE_UNAVAILABLE));
            return result;
        }
        InferenceScheduler.Lane lane = role == TextRole.QUERY ? InferenceScheduler.Lane.SEARCH : InferenceScheduler.Lane.INGEST;
        Embedded[] out = new Embedded[1];
        InferenceScheduler.Job job;
        try {
            job = runOn.submit(lane, 1, i -> out[0] = compute(model, role, texts, runOn), () -> {});
        } catch (RejectedExecutionException e) {
            stats.increment(model, StatName.EMBEDDING_REJECTIONS);
            result.completeExceptionally(new StatusException("the inference queue of [" + SettingSpecs.INFERENCE_POOL + "] is full: "
                + e.getMessage(), StatusException.Status.TOO_MANY_REQUESTS, e));
            return result;
        }
        job.done().whenComplete((ignored, e) -> {
            if (e == null) {
                result.complete(out[0]);
                return;
            }
            Throwable cause = e instanceof CompletionException ? e.getCause() : e;
            stats.increment(model, cause instanceof MemoryLimitException ? StatName.EMBEDDING_BREAKER_TRIPS : StatName.EMBEDDING_FAILURES);
            result.completeExceptionally(cause instanceof Exception ? cause : new StatusException("embedding failed: " + cause,
                StatusException.Status.INTERNAL_SERVER_ERROR, cause));
        });
        return result;
    }

    private Embedded compute(String model, TextRole role, List<String> texts, InferenceScheduler runOn) {
        try (ModelRegistry.Lease lease = models.acquire(model)) {
            stats.increment(model, StatName.EMBEDDING_REQUESTS);
            return new Embedded(lease.model().generation(), compute(lease.model(), model, role, texts, runOn));
        }
    }

    private float[][] compute(ModelRegistry.Model m, String model, TextRole role, List<String> texts, InferenceScheduler runOn) {
        TextEmbedder embedder = m.embedder();
        ModelDescriptor.Embedding spec = m.descriptor().embedding();
        String prefix = role == TextRole.QUERY ? spec.queryPrefix() : spec.documentPrefix();
        List<String> input = texts;
        if (prefix.isEmpty() == false) {
            input = new ArrayList<>(texts.size());
            for (String t : texts) {
                input.add(prefix + t);
            }
        }
        Runnable yieldToSearch = role == TextRole.QUERY ? () -> {} : runOn::runWaitingSearches;
        TextEmbedder.Result result = embedder.embed(input, rowsPerRun, maxBatchTokens, budget, yieldToSearch);
        stats.add(model, StatName.EMBEDDED_TEXTS, texts.size());
        stats.add(model, StatName.EMBEDDING_TOKENS, result.tokens());
        stats.add(model, StatName.EMBEDDING_MILLIS, TimeUnit.NANOSECONDS.toMillis(result.nanos()));
        return result.vectors();
    }

    private record QueryKey(String model, long generation, String text) {}

    /** Vectors and the generation of the model version that computed them. */
    private record Embedded(long generation, float[][] vectors) {}
}
