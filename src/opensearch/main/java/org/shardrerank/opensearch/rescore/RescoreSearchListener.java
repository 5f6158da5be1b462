package org.shardrerank.opensearch.rescore;

import org.opensearch.index.shard.SearchOperationListener;
import org.opensearch.search.internal.SearchContext;
import org.opensearch.search.rescore.RescoreContext;

import java.util.function.BooleanSupplier;

/**
 * Connects a shard's cross_encoder rescore to the search it runs in, which the rescorer API does not hand over: before
 * the query phase, the search task's cancellation and whether hits are explained; after it, a shard that fell back to
 * its first stage marks the result timed out, so the response says it is partial ({@code timed_out: true}).
 */
public final class RescoreSearchListener implements SearchOperationListener {
    @Override
    public void onPreQueryPhase(SearchContext search) {
        BooleanSupplier cancelled = search.getTask() == null ? () -> false : search.getTask()::isCancelled;
        for (RescoreContext r : search.rescore()) {
            if (r instanceof CrossEncoderRescoreContext ce) {
                ce.attach(cancelled, search.explain());
            }
        }
    }

    @Override
    public void onQueryPhase(SearchContext search, long tookInNanos) {
        for (RescoreContext r : search.rescore()) {
            if (r instanceof CrossEncoderRescoreContext ce && ce.fellBack()) {
                search.queryResult().searchTimedOut(true);
            }
        }
    }
}
