package org.shardrerank.embedding;

import org.opensearch.OpenSearchStatusException;
import org.opensearch.common.cache.Cache;
import org.opensearch.common.cache.CacheBuilder;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.AbstractRunnable;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.common.breaker.CircuitBreakingException;
import org.opensearch.core.rest.RestStatus;
import org.shardrerank.PluginSettings;
import org.shardrerank.inference.TextEmbedder;
import org.shardrerank.model.ModelDescriptor;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.stats.StatName;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Texts to vectors for the ingest processor and the query: runs the model on the plugin's inference thread pool,
 * never on the caller's thread, and answers through a listener. Applies the model's query or document prefix.
 * Query vectors are cached per (model, text).
 */
public final class EmbeddingService {
    private final ModelRegistry models;
    private final RerankStats stats;
    private final Cache<QueryKey, float[]> queryVectors;
    private volatile Executor executor;
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
    public void bind(Executor inferenceExecutor, CircuitBreaker inferenceBreaker, ClusterSettings clusterSettings) {
        this.breaker = inferenceBreaker; // before the executor: work starts once the executor is there
        this.executor = inferenceExecutor;
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
        Executor runOn = executor;
        if (runOn == null) {
            listener.onFailure(new IllegalStateException("the inference thread pool is not ready"));
            return;
        }
        stats.increment(model, StatName.EMBEDDING_REQUESTS);
        runOn.execute(new AbstractRunnable() {
            @Override
            protected void doRun() {
                Embedded vectors;
                try {
                    vectors = compute(model, role, texts);
                } catch (Exception | LinkageError | AssertionError e) {
                    // an Error must not reach the node's uncaught-exception handler, which would stop the node
                    stats.increment(model, e instanceof CircuitBreakingException ? StatName.EMBEDDING_BREAKER_TRIPS
                        : StatName.EMBEDDING_FAILURES);
                    listener.onFailure(e instanceof Exception ex ? ex : new OpenSearchStatusException("embedding failed: " + e,
                        RestStatus.INTERNAL_SERVER_ERROR, e));
                    return;
                }
                listener.onResponse(vectors);
            }

            @Override
            public void onRejection(Exception e) {
                stats.increment(model, StatName.EMBEDDING_REJECTIONS);
                listener.onFailure(new OpenSearchStatusException("the inference thread pool [" + PluginSettings.INFERENCE_POOL
                    + "] is full: " + e.getMessage(), RestStatus.TOO_MANY_REQUESTS, e));
            }

            @Override
            public void onFailure(Exception e) {
                listener.onFailure(e);
            }
        });
    }

    private Embedded compute(String model, TextRole role, List<String> texts) {
        try (ModelRegistry.Lease lease = models.acquire(model)) {
            return new Embedded(lease.model().generation(), compute(lease.model(), model, role, texts));
        }
    }

    private float[][] compute(ModelRegistry.Model m, String model, TextRole role, List<String> texts) {
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
        TextEmbedder.Result result = embedder.embed(input, rowsPerRun, maxBatchTokens, breaker);
        stats.add(model, StatName.EMBEDDED_TEXTS, texts.size());
        stats.add(model, StatName.EMBEDDING_TOKENS, result.tokens());
        stats.add(model, StatName.EMBEDDING_MILLIS, TimeUnit.NANOSECONDS.toMillis(result.nanos()));
        return result.vectors();
    }

    private record QueryKey(String model, long generation, String text) {}

    /** Vectors and the generation of the model version that computed them. */
    private record Embedded(long generation, float[][] vectors) {}
}
