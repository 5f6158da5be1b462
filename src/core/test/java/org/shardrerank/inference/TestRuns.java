package org.shardrerank.inference;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;

/** Model runs of a search that is never cancelled, scheduled on a test's executor as the node schedules them. */
public final class TestRuns {
    private TestRuns() {}

    public static ModelRuns on(Executor executor) {
        int threads = executor instanceof ThreadPoolExecutor pool ? pool.getMaximumPoolSize() : 2;
        return new InferenceScheduler(executor, threads, 1000).forSearch(() -> false);
    }
}
