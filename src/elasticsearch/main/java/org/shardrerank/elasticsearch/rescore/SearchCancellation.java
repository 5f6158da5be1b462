package org.shardrerank.elasticsearch.rescore;

import org.elasticsearch.search.internal.ContextIndexSearcher;
import org.elasticsearch.search.rescore.RescoreContext;
import org.shardrerank.elasticsearch.util.Errors;
import org.shardrerank.inference.InferenceCancelledException;

import java.util.function.BooleanSupplier;

/**
 * The search's own stop signal as the core polls it while the model runs: {@link RescoreContext#checkCancellation()}
 * throws when the task is cancelled ({@code TaskCancelledException}) or the search {@code timeout} has passed
 * ({@code ContextIndexSearcher.TimeExceededException}). The core then drops the model runs and gives up with its own
 * exception (counting the cancellation); a cancel then answers Elasticsearch's task_cancelled error ({@link #reason}), a
 * search timeout the first-stage order below every reranked hit (see the rescorer). One per rescore.
 */
final class SearchCancellation implements BooleanSupplier {
    private final RescoreContext context;
    private volatile RuntimeException caught;

    SearchCancellation(RescoreContext context) {
        this.context = context;
    }

    @Override
    public boolean getAsBoolean() {
        if (caught != null) {
            return true;
        }
        try {
            context.checkCancellation();
            return false;
        } catch (RuntimeException e) {
            caught = e;
            return true;
        }
    }

    /** Whether the search stopped the model runs because its own {@code timeout} passed (not a cancel). */
    boolean searchTimedOut() {
        return caught instanceof ContextIndexSearcher.TimeExceededException;
    }

    /** What to throw when the core gave up: what the search said, or the core's exception translated. */
    RuntimeException reason(InferenceCancelledException coreGaveUp) {
        RuntimeException original = caught;
        return original == null ? Errors.translate(coreGaveUp) : original;
    }
}
