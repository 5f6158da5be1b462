package org.shardrerank.inference;

import org.junit.After;
import org.junit.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class InferenceSchedulerTests {
    private final ExecutorService pool = Executors.newFixedThreadPool(1);

    @After
    public void stop() {
        pool.shutdownNow();
    }

    /** Holds the only thread until released, so the test can queue jobs behind it. */
    private static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);

        void task(int i) {
            entered.countDown();
            try {
                open.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    public void searchTasksGoBeforeIngestTasksAndJobsOfALaneTakeTurns() throws Exception {
        InferenceScheduler s = new InferenceScheduler(pool, 1, 10);
        Gate gate = new Gate();
        s.submit(InferenceScheduler.Lane.INGEST, 1, gate::task, () -> {});
        gate.entered.await();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        InferenceScheduler.Job ingest = s.submit(InferenceScheduler.Lane.INGEST, 2, i -> order.add("ingest" + i), () -> {});
        InferenceScheduler.Job big = s.submit(InferenceScheduler.Lane.SEARCH, 3, i -> order.add("big" + i), () -> {});
        InferenceScheduler.Job small = s.submit(InferenceScheduler.Lane.SEARCH, 1, i -> order.add("small" + i), () -> {});
        gate.open.countDown();
        ingest.done().get(10, TimeUnit.SECONDS);
        big.done().get(10, TimeUnit.SECONDS);
        small.done().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("big0", "small0", "big1", "big2", "ingest0", "ingest1"), order);
    }

    @Test
    public void aLaneAdmitsThreadsPlusQueueJobsAndIngestDoesNotFillTheSearchLane() throws Exception {
        InferenceScheduler s = new InferenceScheduler(pool, 1, 1);
        Gate gate = new Gate();
        s.submit(InferenceScheduler.Lane.INGEST, 1, gate::task, () -> {});
        gate.entered.await();
        s.submit(InferenceScheduler.Lane.INGEST, 1, i -> {}, () -> {});
        AtomicBoolean released = new AtomicBoolean();
        assertThrows(RejectedExecutionException.class, () -> s.submit(InferenceScheduler.Lane.INGEST, 1, i -> {}, () -> released.set(true)));
        assertTrue("a refused job lets go of what it held", released.get());
        InferenceScheduler.Job search = s.submit(InferenceScheduler.Lane.SEARCH, 1, i -> {}, () -> {});
        gate.open.countDown();
        search.done().get(10, TimeUnit.SECONDS);
    }

    @Test
    public void aStoppedJobRunsNoMoreTasksAndReleasesOnceItsRunningTaskEnds() throws Exception {
        InferenceScheduler s = new InferenceScheduler(pool, 1, 10);
        Gate gate = new Gate();
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch released = new CountDownLatch(1);
        InferenceScheduler.Job job = s.submit(InferenceScheduler.Lane.SEARCH, 5, i -> {
            ran.incrementAndGet();
            gate.task(i);
        }, released::countDown);
        gate.entered.await();
        job.stop();
        assertEquals(1, s.admitted(InferenceScheduler.Lane.SEARCH));
        gate.open.countDown();
        assertTrue(released.await(10, TimeUnit.SECONDS));
        assertEquals(1, ran.get());
        assertEquals(0, s.admitted(InferenceScheduler.Lane.SEARCH));
    }

    @Test
    public void aCancelledSearchStopsWaitingAndDropsItsTasks() throws Exception {
        InferenceScheduler s = new InferenceScheduler(pool, 1, 10);
        Gate gate = new Gate();
        s.submit(InferenceScheduler.Lane.SEARCH, 1, gate::task, () -> {});
        gate.entered.await();
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicInteger ran = new AtomicInteger();
        Thread canceller = new Thread(() -> {
            sleep(200);
            cancelled.set(true);
        });
        canceller.start();
        assertThrows(InferenceCancelledException.class, () -> s.forSearch(cancelled::get)
            .runAll(3, i -> ran.incrementAndGet(), System.nanoTime(), TimeUnit.SECONDS.toNanos(30), () -> {}));
        gate.open.countDown();
        InferenceScheduler.Job after = s.submit(InferenceScheduler.Lane.SEARCH, 1, i -> {}, () -> {});
        after.done().get(10, TimeUnit.SECONDS);
        assertEquals(0, ran.get());
    }

    @Test
    public void aTimeoutNamesTheBudget() throws Exception {
        InferenceScheduler s = new InferenceScheduler(pool, 1, 10);
        Gate gate = new Gate();
        s.submit(InferenceScheduler.Lane.SEARCH, 1, gate::task, () -> {});
        gate.entered.await();
        InferenceTimeoutException e = assertThrows(InferenceTimeoutException.class, () -> s.forSearch(() -> false)
            .runAll(1, i -> {}, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(50), () -> {}));
        assertEquals("model inference did not finish within 50ms", e.getMessage());
        gate.open.countDown();
    }

    @Test
    public void waitingSearchesRunOnAnIngestThreadThatYields() throws Exception {
        InferenceScheduler s = new InferenceScheduler(pool, 1, 10);
        CountDownLatch ingestStarted = new CountDownLatch(1);
        CountDownLatch searchQueued = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        InferenceScheduler.Job ingest = s.submit(InferenceScheduler.Lane.INGEST, 1, i -> {
            order.add("ingest run 1");
            ingestStarted.countDown();
            await(searchQueued);
            s.runWaitingSearches();
            order.add("ingest run 2");
        }, () -> {});
        ingestStarted.await(10, TimeUnit.SECONDS);
        InferenceScheduler.Job search = s.submit(InferenceScheduler.Lane.SEARCH, 2, i -> order.add("search" + i), () -> {});
        searchQueued.countDown();
        search.done().get(10, TimeUnit.SECONDS);
        ingest.done().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("ingest run 1", "search0", "search1", "ingest run 2"), order);
    }

    @Test
    public void aFailingTaskFailsItsJobNotTheThread() throws Exception {
        InferenceScheduler s = new InferenceScheduler(pool, 1, 10);
        InferenceScheduler.Job bad = s.submit(InferenceScheduler.Lane.SEARCH, 2, i -> {
            throw new LinkageError("native library missing");
        }, () -> {});
        Exception e = assertThrows(Exception.class, () -> bad.done().get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof LinkageError);
        s.submit(InferenceScheduler.Lane.SEARCH, 1, i -> {}, () -> {}).done().get(10, TimeUnit.SECONDS);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request alone on an idle node uses every inference thread: its tasks run at the same time, not one by one. */
    @Test
    public void testOneJobsTasksRunInParallelOnIdleThreads() throws Exception {
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            InferenceScheduler scheduler = new InferenceScheduler(two, 2, 10);
            CountDownLatch both = new CountDownLatch(2);
            InferenceScheduler.Job job = scheduler.submit(InferenceScheduler.Lane.SEARCH, 2, i -> {
                both.countDown();
                try {
                    // a second thread must take the other task while this one waits
                    if (both.await(10, TimeUnit.SECONDS) == false) {
                        throw new AssertionError("task " + i + " ran alone: the job's other task did not start in parallel");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, () -> {});
            job.done().get(20, TimeUnit.SECONDS);
        } finally {
            two.shutdownNow();
        }
    }
}
