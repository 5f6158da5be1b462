package org.shardrerank.elasticsearch.rescore;

import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.rescore.RescoreContext;
import org.shardrerank.rescore.RescorePlan;
import org.shardrerank.rescore.RescorePlanner;
import org.shardrerank.scoring.CarriedScores;

import java.util.Map;
import java.util.Set;

/**
 * One shard's rescore in Elasticsearch: the core's plan, the shard (to read _source), and what the search around it says
 * ({@link RescoreSearchListener}: explain). Cancellation comes from the search itself ({@link #checkCancellation()}). The
 * model is leased again for each use ({@link RescorePlanner#encoder}): nothing releases a context.
 */
final class CrossEncoderRescoreContext extends RescoreContext {
    final RescorePlan plan;
    final RescorePlanner node;
    final SearchExecutionContext shard;
    private volatile boolean explain;
    private volatile boolean partialResultsAllowed;
    private volatile boolean fellBack;
    private Map<Integer, CarriedScores.Doc> carried;

    CrossEncoderRescoreContext(RescorePlan plan, RescorePlanner node, SearchExecutionContext shard) {
        super(plan.windowSize(), CrossEncoderRescorer.INSTANCE);
        this.plan = plan;
        this.node = node;
        this.shard = shard;
    }

    /** Set before the query phase from the shard's search: whether it explains its hits, and may answer partially. */
    void attach(boolean searchExplains, boolean allowPartialResults) {
        this.explain = searchExplains;
        this.partialResultsAllowed = allowPartialResults;
    }

    /** Whether a search timeout may leave this shard's window in its first-stage order rather than fail the search. */
    boolean partialResultsAllowed() {
        return partialResultsAllowed;
    }

    /** Whether the query phase must carry each window hit's numbers to the fetch phase. */
    boolean explain() {
        return explain;
    }

    void markFellBack() {
        fellBack = true;
    }

    /** This shard kept its first-stage order: known in the query phase, and in a later fetch from the carried marker. */
    boolean fellBack() {
        return fellBack || (getRescoredDocs() != null && CarriedScores.fellBack(getRescoredDocs()));
    }

    /** The numbers the query phase carried, decoded once per fetch. */
    Map<Integer, CarriedScores.Doc> carried() {
        if (carried == null) {
            Set<Integer> docs = getRescoredDocs();
            carried = docs == null ? Map.of() : CarriedScores.decode(docs);
        }
        return carried;
    }
}
