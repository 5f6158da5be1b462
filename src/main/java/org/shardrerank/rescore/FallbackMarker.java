package org.shardrerank.rescore;

import org.opensearch.search.rescore.RescoreContext;

import java.util.Set;

/**
 * Records "this shard fell back" in the rescored doc ids with a negative id no document has: it is the only
 * per-shard state OpenSearch carries from the query phase to a later fetch phase.
 */
final class FallbackMarker {
    private static final int TIMED_OUT = -1;

    private FallbackMarker() {}

    static void markTimedOut(RescoreContext context) {
        context.setRescoredDocs(Set.of(TIMED_OUT));
    }

    static boolean timedOut(RescoreContext context) {
        return context.isRescored(TIMED_OUT);
    }
}
