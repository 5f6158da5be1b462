package org.shardrerank.rescore;

import org.opensearch.search.rescore.RescoreContext;
import org.shardrerank.inference.ScoreOptions;
import org.shardrerank.model.ModelRegistry;

import java.util.concurrent.Executor;

/** One shard's resolved rescore request: the loaded model, the effective options, where to run. */
final class CrossEncoderRescoreContext extends RescoreContext {
    final CrossEncoderRescorerBuilder request;
    final ModelRegistry.Model model;
    final ScoreOptions options;
    final Executor executor;
    final RescoreContextFactory node;
    /** The window this context rescored, when the query phase ran in this context (explain reads it). */
    RescoredWindow window;

    CrossEncoderRescoreContext(int windowSize, CrossEncoderRescorerBuilder request, ModelRegistry.Model model, ScoreOptions options,
                               Executor executor, RescoreContextFactory node) {
        super(windowSize, CrossEncoderRescorer.INSTANCE);
        this.request = request;
        this.model = model;
        this.options = options;
        this.executor = executor;
        this.node = node;
    }
}
