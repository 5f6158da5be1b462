package org.shardrerank.rescore;

import org.opensearch.OpenSearchStatusException;
import org.opensearch.common.cache.Cache;
import org.opensearch.common.cache.CacheBuilder;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.QueryShardContext;
import org.shardrerank.PluginSettings;
import org.shardrerank.inference.ScoreOptions;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.stats.RerankStats;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;

/**
 * The node side of the rescorer: turns a parsed request into a shard's context, checking it against the
 * loaded model, the node's limits and the index mapping. Holds the collaborators the rescorer needs.
 */
public final class RescoreContextFactory {
    private static final Set<String> TEXT_TYPES = new TreeSet<>(List.of("text", "match_only_text", "keyword", "wildcard",
        "constant_keyword", "search_as_you_type"));

    private final ModelRegistry models;
    private final RerankStats stats;
    private final Cache<WindowKey, RescoredWindow> windows = CacheBuilder.<WindowKey, RescoredWindow>builder()
        .setMaximumWeight(256)
        .setExpireAfterAccess(TimeValue.timeValueMinutes(5))
        .build();
    private volatile Executor executor;
    private volatile CircuitBreaker breaker;
    private volatile int maxWindowSize;
    private volatile int maxBatchTokens;
    private volatile int defaultBatchSize;
    private volatile TimeValue defaultTimeout;

    public RescoreContextFactory(ModelRegistry models, RerankStats stats, Settings settings) {
        this.models = models;
        this.stats = stats;
        this.maxWindowSize = PluginSettings.MAX_WINDOW_SIZE.get(settings);
        this.maxBatchTokens = PluginSettings.MAX_BATCH_TOKENS.get(settings);
        this.defaultBatchSize = PluginSettings.DEFAULT_BATCH_SIZE.get(settings);
        this.defaultTimeout = PluginSettings.DEFAULT_TIMEOUT.get(settings);
    }

    /** Called once the node's thread pools, inference breaker and cluster settings exist. */
    public void bind(Executor inferenceExecutor, CircuitBreaker inferenceBreaker, ClusterSettings clusterSettings) {
        this.breaker = inferenceBreaker; // before the executor: a context is built once the executor is there
        this.executor = inferenceExecutor;
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_WINDOW_SIZE, v -> maxWindowSize = v);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_BATCH_TOKENS, v -> maxBatchTokens = v);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.DEFAULT_BATCH_SIZE, v -> defaultBatchSize = v);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.DEFAULT_TIMEOUT, v -> defaultTimeout = v);
    }

    RerankStats stats() {
        return stats;
    }

    CrossEncoderRescoreContext build(CrossEncoderRescorerBuilder request, int windowSize, QueryShardContext shard) {
        String name = CrossEncoderRescorerBuilder.NAME;
        if (windowSize < 1) {
            throw new IllegalArgumentException("[" + name + "] [window_size] must be at least 1, got [" + windowSize + "]");
        }
        if (windowSize > maxWindowSize) {
            throw new IllegalArgumentException("[" + name + "] [window_size] is " + windowSize + ", above this node's maximum ["
                + PluginSettings.MAX_WINDOW_SIZE.getKey() + "] of " + maxWindowSize);
        }
        for (String field : request.fields()) {
            if (shard.getObjectMapper(field) != null) {
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is an object; name its text fields");
            }
            MappedFieldType type = shard.fieldMapper(field);
            if (type != null && TEXT_TYPES.contains(type.typeName()) == false) {
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is of type [" + type.typeName()
                    + "]; the model reads text fields " + TEXT_TYPES);
            }
        }
        try (ModelRegistry.Lease lease = models.acquire(request.model())) {
            ModelRegistry.Model model = lease.model();
            int modelMax = model.descriptor().maxLength();
            int maxLength = request.maxLength() == null ? modelMax : request.maxLength();
            if (maxLength > modelMax) {
                throw new IllegalArgumentException("[" + name + "] [max_length] is " + maxLength + ", above the model ["
                    + request.model() + "]'s max_length of " + modelMax);
            }
            int queryTokens = model.encoder().queryTokens(request.queryText());
            if (queryTokens > maxLength / 2) {
                throw new IllegalArgumentException("[" + name + "] [query_text] is " + queryTokens + " tokens long; with [max_length] "
                    + maxLength + " it may be at most " + maxLength / 2 + " tokens (the query is never truncated)");
            }
            int budget = maxLength - queryTokens - model.encoder().specialTokens();
            int stride = request.stride() == null ? Math.min(64, budget / 4) : request.stride();
            if (stride >= budget) {
                throw new IllegalArgumentException("[" + name + "] [stride] is " + stride + " but each window has room for only " + budget
                    + " document tokens");
            }
            return context(request, windowSize, maxLength, stride, model.encoder().activationName());
        }
    }

    private CrossEncoderRescoreContext context(CrossEncoderRescorerBuilder request, int windowSize, int maxLength, int stride,
                                               String activationName) {
        Executor runOn = executor;
        if (runOn == null) {
            throw new IllegalStateException("the inference thread pool is not ready");
        }
        TimeValue timeout = request.timeout() == null ? defaultTimeout : request.timeout();
        ScoreOptions options = new ScoreOptions(maxLength, stride, request.maxChunks(), request.pooling(),
            request.batchSize() == null ? defaultBatchSize : request.batchSize(), maxBatchTokens, timeout.nanos());
        return new CrossEncoderRescoreContext(windowSize, request, activationName, options, runOn, breaker, this);
    }

    /**
     * The cross-encoder for a context's query or fetch phase, as it serves now: a reload between building the context
     * and scoring swaps the version, and the options checked against the old one must still fit.
     */
    ModelRegistry.Lease encoder(CrossEncoderRescoreContext ctx) {
        ModelRegistry.Lease lease = models.acquire(ctx.request.model());
        int modelMax = lease.model().descriptor().maxLength();
        if (ctx.options.maxLength() > modelMax) {
            lease.close();
            throw new OpenSearchStatusException("[" + CrossEncoderRescorerBuilder.NAME + "] model [" + ctx.request.model()
                + "] was reloaded during this request with max_length " + modelMax + ", below the request's " + ctx.options.maxLength()
                + "; retry", RestStatus.CONFLICT);
        }
        return lease;
    }

    void remember(WindowKey key, RescoredWindow window) {
        windows.put(key, window);
    }

    RescoredWindow recall(WindowKey key) {
        return windows.get(key);
    }

    /** A shard's reader (its segments) and the request: explain in a later fetch on the same reader finds the window. */
    record WindowKey(Object reader, CrossEncoderRescorerBuilder request) {}
}
