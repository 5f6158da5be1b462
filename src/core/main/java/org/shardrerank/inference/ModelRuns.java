package org.shardrerank.inference;

import java.util.function.IntConsumer;

/** Runs one request's model runs somewhere and waits for them: the seam between a model and the node's scheduling. */
@FunctionalInterface
public interface ModelRuns {
    /**
     * Runs {@code task} for 0 .. {@code tasks - 1} and returns once all have run.
     *
     * @param startedNanos  when the request's time budget started ({@link System#nanoTime()})
     * @param timeoutNanos  the budget; past it the runs not started are dropped
     * @param release       run once none of the tasks runs or will run, even after a timeout
     * @throws InferenceTimeoutException    past the budget
     * @throws InferenceCancelledException  when the request was cancelled meanwhile
     * @throws java.util.concurrent.RejectedExecutionException when the node's queue for such requests is full
     */
    void runAll(int tasks, IntConsumer task, long startedNanos, long timeoutNanos, Runnable release);
}
