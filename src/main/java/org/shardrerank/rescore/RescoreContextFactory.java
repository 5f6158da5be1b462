package org.shardrerank.rescore;

import org.opensearch.OpenSearchStatusException;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.SourceFieldMapper;
import org.opensearch.common.xcontent.support.XContentMapValues;
import org.opensearch.index.query.QueryShardContext;
import org.shardrerank.PluginSettings;
import org.shardrerank.inference.InferenceScheduler;
import org.shardrerank.inference.ScoreOptions;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.stats.RerankStats;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The node side of the rescorer: turns a parsed request into a shard's context, checking it against the
 * loaded model, the node's limits and the index mapping. Holds the collaborators the rescorer needs.
 */
public final class RescoreContextFactory {
    private static final Set<String> TEXT_TYPES = new TreeSet<>(List.of("text", "match_only_text", "keyword", "wildcard",
        "constant_keyword", "search_as_you_type"));

    private final ModelRegistry models;
    private final RerankStats stats;
    private volatile InferenceScheduler scheduler;
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
    public void bind(InferenceScheduler inferenceScheduler, CircuitBreaker inferenceBreaker, ClusterSettings clusterSettings) {
        this.breaker = inferenceBreaker; // before the scheduler: a context is built once the scheduler is there
        this.scheduler = inferenceScheduler;
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
        checkFields(request, shard);
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

    /**
     * Every field must be a text field this index maps and keeps in _source: otherwise every document would be scored as
     * an empty text, silently. With [ignore_unmapped] a field this index does not map is skipped (searches over indices
     * with different mappings); at least one field must remain.
     */
    private static void checkFields(CrossEncoderRescorerBuilder request, QueryShardContext shard) {
        String name = CrossEncoderRescorerBuilder.NAME;
        String index = shard.index().getName();
        SourceFieldMapper source = shard.getMapperService().documentMapper() == null ? null
            : shard.getMapperService().documentMapper().sourceMapper();
        if (source != null && source.enabled() == false) {
            throw new IllegalArgumentException("[" + name + "] index [" + index + "] has _source disabled; the model reads its fields from _source");
        }
        int mapped = 0;
        for (String field : request.fields()) {
            if (shard.getObjectMapper(field) != null) {
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is an object; name its text fields");
            }
            MappedFieldType type = shard.fieldMapper(field);
            if (type == null) {
                if (request.ignoreUnmapped()) {
                    continue;
                }
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is not mapped in index [" + index
                    + "] (set [ignore_unmapped] to skip fields that only some indices map)");
            }
            if (TEXT_TYPES.contains(type.typeName()) == false) {
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is of type [" + type.typeName()
                    + "]; the model reads text fields " + TEXT_TYPES);
            }
            if (source != null && kept(source, field) == false) {
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is excluded from _source in index [" + index
                    + "]; the model reads its fields from _source");
            }
            mapped++;
        }
        if (mapped == 0) {
            throw new IllegalArgumentException("[" + name + "] none of the fields " + request.fields() + " is mapped in index [" + index + "]");
        }
    }

    private static boolean kept(SourceFieldMapper source, String field) {
        String[] includes = source.getIncludes().toArray(new String[0]);
        String[] excludes = source.getExcludes().toArray(new String[0]);
        return XContentMapValues.filter(java.util.Map.of(field, "x"), includes, excludes).isEmpty() == false;
    }

    private CrossEncoderRescoreContext context(CrossEncoderRescorerBuilder request, int windowSize, int maxLength, int stride,
                                               String activationName) {
        InferenceScheduler runOn = scheduler;
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
}
