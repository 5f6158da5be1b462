package org.shardrerank.elasticsearch.rescore;

import org.elasticsearch.index.shard.SearchOperationListener;
import org.elasticsearch.search.internal.SearchContext;
import org.elasticsearch.search.rescore.RescoreContext;

/**
 * Connects a shard's cross_encoder rescore to the search it runs in, which the rescorer API does not hand over: before
 * the query phase, whether hits are explained and partial results allowed; after it, a shard that fell back to its first stage marks the result
 * timed out, so the response says it is partial ({@code timed_out: true}).
 */
public final class RescoreSearchListener implements SearchOperationListener {
    @Override
    public void onPreQueryPhase(SearchContext search) {
        for (RescoreContext r : search.rescore()) {
            if (r instanceof CrossEncoderRescoreContext ce) {
                ce.attach(search.explain(), search.request().allowPartialSearchResults());
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
