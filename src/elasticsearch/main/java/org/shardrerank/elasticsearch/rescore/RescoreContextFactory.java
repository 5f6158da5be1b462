package org.shardrerank.elasticsearch.rescore;

import org.elasticsearch.index.query.SearchExecutionContext;
import org.shardrerank.elasticsearch.util.Errors;
import org.shardrerank.rescore.CrossEncoderRequest;
import org.shardrerank.rescore.FieldChecks;
import org.shardrerank.rescore.RescorePlanner;

/**
 * Builds a shard's rescore context: the shard's mapping as the core's {@link FieldChecks.Mapping} ({@link ShardMapping}),
 * the plan from the core's {@link RescorePlanner} (bound to the node's pool, breaker and dynamic settings by the plugin).
 */
public final class RescoreContextFactory {
    private final RescorePlanner planner;

    public RescoreContextFactory(RescorePlanner planner) {
        this.planner = planner;
    }

    CrossEncoderRescoreContext build(CrossEncoderRequest request, int windowSize, SearchExecutionContext shard) {
        try {
            return new CrossEncoderRescoreContext(planner.plan(request, windowSize, new ShardMapping(shard)), planner, shard);
        } catch (RuntimeException e) {
            throw Errors.translate(e);
        }
    }
}
