package org.shardrerank.rescore;

import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.search.rescore.RescoreContext;
import org.shardrerank.inference.ScoreOptions;

import java.util.concurrent.Executor;

/**
 * One shard's resolved rescore request: the effective options, checked against the model, and where to run. The model
 * itself is leased again for each use ({@link RescoreContextFactory#encoder}): nothing releases a context.
 */
final class CrossEncoderRescoreContext extends RescoreContext {
    final CrossEncoderRescorerBuilder request;
    /** How the checked model version turns its output into the score, for explanations. */
    final String activationName;
    final ScoreOptions options;
    final Executor executor;
    /** Where the window and the model runs charge their memory. */
    final CircuitBreaker breaker;
    final RescoreContextFactory node;
    /** The window this context rescored, when the query phase ran in this context (explain reads it). */
    RescoredWindow window;

    CrossEncoderRescoreContext(int windowSize, CrossEncoderRescorerBuilder request, String activationName, ScoreOptions options,
                               Executor executor, CircuitBreaker breaker, RescoreContextFactory node) {
        super(windowSize, CrossEncoderRescorer.INSTANCE);
        this.request = request;
        this.activationName = activationName;
        this.options = options;
        this.executor = executor;
        this.breaker = breaker;
        this.node = node;
    }
}
