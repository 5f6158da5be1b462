package org.shardrerank.embedding;

import org.opensearch.OpenSearchStatusException;
import org.opensearch.common.cache.Cache;
import org.opensearch.common.cache.CacheBuilder;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.common.breaker.CircuitBreakingException;
import org.opensearch.core.rest.RestStatus;
import org.shardrerank.PluginSettings;
import org.shardrerank.inference.InferenceScheduler;
import org.shardrerank.inference.TextEmbedder;
import org.shardrerank.model.ModelDescriptor;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.stats.StatName;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Texts to vectors for the ingest processor and the query: runs the model on the node's inference scheduler, never on
 * the caller's thread, and answers through a listener. Query texts run in the search lane; documents in the ingest
 * lane, which yields to searches between its model runs. Applies the model's query or document prefix.
 * Query vectors are cached per (model, text).
 */
public final class EmbeddingService {
    private final ModelRegistry models;
    private final RerankStats stats;
    private final Cache<QueryKey, float[]> queryVectors;
    private volatile InferenceScheduler scheduler;
    private volatile CircuitBreaker breaker;
    private volatile int rowsPerRun;
    private volatile int maxBatchTokens;

    public EmbeddingService(ModelRegistry models, RerankStats stats, Settings settings) {
        this.models = models;
        this.stats = stats;
        this.rowsPerRun = PluginSettings.EMBEDDING_BATCH_SIZE.get(settings);
        this.maxBatchTokens = PluginSettings.MAX_BATCH_TOKENS.get(settings);
        int cacheSize = PluginSettings.EMBEDDING_QUERY_CACHE_SIZE.get(settings);
        this.queryVectors = cacheSize == 0 ? null : CacheBuilder.<QueryKey, float[]>builder().setMaximumWeight(cacheSize).build();
    }

    /** Called once the node's thread pools, inference breaker and cluster settings exist. */
    public void bind(InferenceScheduler inferenceScheduler, CircuitBreaker inferenceBreaker, ClusterSettings clusterSettings) {
        this.breaker = inferenceBreaker; // before the scheduler: work starts once the scheduler is there
        this.scheduler = inferenceScheduler;
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.EMBEDDING_BATCH_SIZE, v -> rowsPerRun = v);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_BATCH_TOKENS, v -> maxBatchTokens = v);
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
    public void embedQuery(String model, String text, ActionListener<float[]> listener) {
        long serving = models.servingGeneration(model);
        float[] cached = queryVectors == null || serving == 0 ? null : queryVectors.get(new QueryKey(model, serving, text));
        if (cached != null) {
            stats.increment(model, StatName.QUERY_VECTOR_CACHE_HITS);
            listener.onResponse(cached);
            return;
        }
        run(model, TextRole.QUERY, List.of(text), ActionListener.wrap(embedded -> {
            if (queryVectors != null) {
                queryVectors.put(new QueryKey(model, embedded.generation(), text), embedded.vectors()[0]);
            }
            listener.onResponse(embedded.vectors()[0]);
        }, listener::onFailure));
    }

    /** The vectors of {@code texts}, in order, computed on the inference thread pool. */
    public void embed(String model, TextRole role, List<String> texts, ActionListener<float[][]> listener) {
        run(model, role, texts, ActionListener.map(listener, Embedded::vectors));
    }

    private void run(String model, TextRole role, List<String> texts, ActionListener<Embedded> listener) {
        InferenceScheduler runOn = scheduler;
        if (runOn == null) {
            listener.onFailure(new IllegalStateException("the inference thread pool is not ready"));
            return;
        }
        InferenceScheduler.Lane lane = role == TextRole.QUERY ? InferenceScheduler.Lane.SEARCH : InferenceScheduler.Lane.INGEST;
        Embedded[] out = new Embedded[1];
        InferenceScheduler.Job job;
        try {
            job = runOn.submit(lane, 1, i -> out[0] = compute(model, role, texts, runOn), () -> {});
        } catch (RejectedExecutionException e) {
            stats.increment(model, StatName.EMBEDDING_REJECTIONS);
            listener.onFailure(new OpenSearchStatusException("the inference queue of [" + PluginSettings.INFERENCE_POOL + "] is full: "
                + e.getMessage(), RestStatus.TOO_MANY_REQUESTS, e));
            return;
        }
        job.done().whenComplete((ignored, e) -> {
            if (e == null) {
                listener.onResponse(out[0]);
                return;
            }
            Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            stats.increment(model, cause instanceof CircuitBreakingException ? StatName.EMBEDDING_BREAKER_TRIPS : StatName.EMBEDDING_FAILURES);
            listener.onFailure(cause instanceof Exception ex ? ex : new OpenSearchStatusException("embedding failed: " + cause,
                RestStatus.INTERNAL_SERVER_ERROR, cause));
        });
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
        TextEmbedder.Result result = embedder.embed(input, rowsPerRun, maxBatchTokens, breaker, yieldToSearch);
        stats.add(model, StatName.EMBEDDED_TEXTS, texts.size());
        stats.add(model, StatName.EMBEDDING_TOKENS, result.tokens());
        stats.add(model, StatName.EMBEDDING_MILLIS, TimeUnit.NANOSECONDS.toMillis(result.nanos()));
        return result.vectors();
    }

    private record QueryKey(String model, long generation, String text) {}

    /** Vectors and the generation of the model version that computed them. */
    private record Embedded(long generation, float[][] vectors) {}
}
