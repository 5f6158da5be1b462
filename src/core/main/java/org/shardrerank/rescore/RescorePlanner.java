package org.shardrerank.rescore;

import org.shardrerank.inference.InferenceScheduler;
import org.shardrerank.inference.MemoryBudget;
import org.shardrerank.inference.ScoreOptions;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.settings.SettingSpecs;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.util.StatusException;

import java.util.concurrent.TimeUnit;

/**
 * The node side of the rescorer: checks a request against the model that serves, the node's limits (dynamic settings,
 * set by the adapter) and resolves the options; holds what a shard's rescore needs from the node.
 */
public final class RescorePlanner {
    private final ModelRegistry models;
    private final RerankStats stats;
    private volatile InferenceScheduler scheduler;
    private volatile MemoryBudget budget;
    private volatile int maxWindowSize = SettingSpecs.MAX_WINDOW_SIZE.defaultValue();
    private volatile int maxBatchTokens = SettingSpecs.MAX_BATCH_TOKENS.defaultValue();
    private volatile int defaultBatchSize = SettingSpecs.DEFAULT_BATCH_SIZE.defaultValue();
    private volatile long defaultTimeoutMillis = SettingSpecs.DEFAULT_TIMEOUT.defaultMillis();

    public RescorePlanner(ModelRegistry models, RerankStats stats) {
        this.models = models;
        this.stats = stats;
    }

    /** Called once the node's thread pools and inference memory budget exist. */
    public void bind(InferenceScheduler inferenceScheduler, MemoryBudget inferenceBudget) {
        this.budget = inferenceBudget; // before the scheduler: a plan is made once the scheduler is there
        this.scheduler = inferenceScheduler;
    }

    public void maxWindowSize(int v) {
        maxWindowSize = v;
    }

    public void maxBatchTokens(int v) {
        maxBatchTokens = v;
    }

    public void defaultBatchSize(int v) {
        defaultBatchSize = v;
    }

    public void defaultTimeoutMillis(long v) {
        defaultTimeoutMillis = v;
    }

    public RerankStats stats() {
        return stats;
    }

    public InferenceScheduler scheduler() {
        InferenceScheduler runOn = scheduler;
        if (runOn == null) {
            throw new StatusException("the inference thread pool is not ready", StatusException.Status.SERVICE_UNAVAILABLE);
        }
        return runOn;
    }

    public MemoryBudget budget() {
        return budget;
    }

    /** Checks the request on one shard (its mapping, the node's limits, the serving model) and resolves its options. */
    public RescorePlan plan(CrossEncoderRequest request, int windowSize, FieldChecks.Mapping mapping) {
        String name = CrossEncoderRequest.NAME;
        if (windowSize < 1) {
            throw new IllegalArgumentException("[" + name + "] [window_size] must be at least 1, got [" + windowSize + "]");
        }
        if (windowSize > maxWindowSize) {
            throw new IllegalArgumentException("[" + name + "] [window_size] is " + windowSize + ", above this node's maximum ["
                + SettingSpecs.MAX_WINDOW_SIZE.key() + "] of " + maxWindowSize);
        }
        FieldChecks.check(request, mapping);
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
            int room = maxLength - queryTokens - model.encoder().specialTokens();
            int stride = request.stride() == null ? Math.min(64, room / 4) : request.stride();
            if (stride >= room) {
                throw new IllegalArgumentException("[" + name + "] [stride] is " + stride + " but each window has room for only " + room
                    + " document tokens");
            }
            scheduler(); // refuse now rather than in the query phase
            ScoreOptions options = new ScoreOptions(maxLength, stride, request.maxChunks(), request.pooling(),
                request.batchSize() == null ? defaultBatchSize : request.batchSize(), maxBatchTokens,
                TimeUnit.MILLISECONDS.toNanos(request.timeoutMillis(defaultTimeoutMillis)));
            return new RescorePlan(request, windowSize, options, model.encoder().activationName());
        }
    }

    /**
     * The cross-encoder for a plan's query or fetch phase, as it serves now: a reload between planning and scoring swaps
     * the version, and the options checked against the old one must still fit.
     */
    public ModelRegistry.Lease encoder(RescorePlan plan) {
        ModelRegistry.Lease lease = models.acquire(plan.request().model());
        int modelMax = lease.model().descriptor().maxLength();
        if (plan.options().maxLength() > modelMax) {
            lease.close();
            throw new StatusException("[" + CrossEncoderRequest.NAME + "] model [" + plan.request().model()
                + "] was reloaded during this request with max_length " + modelMax + ", below the request's " + plan.options().maxLength()
                + "; retry", StatusException.Status.CONFLICT);
        }
        return lease;
    }
}
