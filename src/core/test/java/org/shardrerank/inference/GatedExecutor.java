package org.shardrerank.inference;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Runs tasks on a pool only once {@link #open()} is called: lets a test hold model runs queued, then release them. */
public final class GatedExecutor implements Executor {
    private final Executor pool;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch queued = new CountDownLatch(1);

    public GatedExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        queued.countDown();
        pool.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        });
    }

    /** Whether a task arrived within the time. */
    public boolean awaitQueued(long seconds) throws InterruptedException {
        return queued.await(seconds, TimeUnit.SECONDS);
    }

    public void open() {
        gate.countDown();
    }
}
