package org.shardrerank.opensearch.rescore;

import org.opensearch.search.rescore.RescoreContext;
import org.shardrerank.rescore.RescorePlan;
import org.shardrerank.rescore.RescorePlanner;
import org.shardrerank.scoring.CarriedScores;

import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One shard's rescore in OpenSearch: the core's plan, and what the search around it says ({@link RescoreSearchListener}:
 * cancellation, explain). The model itself is leased again for each use ({@link RescorePlanner#encoder}): nothing
 * releases a context.
 */
final class CrossEncoderRescoreContext extends RescoreContext {
    final RescorePlan plan;
    final RescorePlanner node;
    private volatile BooleanSupplier cancelled = () -> false;
    private volatile boolean explain;
    private volatile boolean fellBack;
    private Map<Integer, CarriedScores.Doc> carried;

    CrossEncoderRescoreContext(RescorePlan plan, RescorePlanner node) {
        super(plan.windowSize(), CrossEncoderRescorer.INSTANCE);
        this.plan = plan;
        this.node = node;
    }

    /** Set before the query phase from the shard's search: whether it is cancelled, and whether it explains its hits. */
    void attach(BooleanSupplier searchCancelled, boolean searchExplains) {
        this.cancelled = searchCancelled;
        this.explain = searchExplains;
    }

    BooleanSupplier cancellation() {
        return cancelled;
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
