package org.shardrerank.inference;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Shares the node's inference threads between requests. A request is a job of model runs (tasks). Threads take the next
 * task from the search lane while it has any, else from the ingest lane: ingest embedding only uses what search leaves,
 * and a search waits at most for the runs already started. Within a lane the jobs take turns task by task, so one
 * large request cannot hold every thread while others wait. A cancelled or timed-out job's tasks not yet started are
 * dropped. Each lane admits at most {@code threads + queueSize} jobs; beyond that a request is rejected.
 */
public final class InferenceScheduler {
    /** How often a waiting search checks whether it was cancelled. */
    private static final long CANCEL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    public enum Lane {
        SEARCH, INGEST
    }

    private final Executor threads;
    private final int size;
    private final int admitPerLane;
    private final Object lock = new Object();
    private final Map<Lane, ArrayDeque<Job>> waiting = new EnumMap<>(Lane.class);
    private final Map<Lane, Integer> admitted = new EnumMap<>(Lane.class);
    private int workers;

    /**
     * @param threads    runs the workers; must have {@code size} threads of its own (the scheduler starts at most that many)
     * @param queueSize  jobs per lane that may wait beyond one per thread
     */
    public InferenceScheduler(Executor threads, int size, int queueSize) {
        this.threads = threads;
        this.size = size;
        this.admitPerLane = size + queueSize;
        for (Lane lane : Lane.values()) {
            waiting.put(lane, new ArrayDeque<>());
            admitted.put(lane, 0);
        }
    }

    /** Model runs of a search: waited for on the caller's thread, dropped when {@code cancelled} turns true. */
    public ModelRuns forSearch(BooleanSupplier cancelled) {
        return (tasks, task, started, timeout, release) -> await(submit(Lane.SEARCH, tasks, task, release), started, timeout, cancelled);
    }

    /**
     * Queues a job; its future completes when every task has run, or with the first task's failure. {@code release} runs
     * once no task of the job runs or will run (also when the job is refused).
     *
     * @throws RejectedExecutionException when the lane is full
     */
    public Job submit(Lane lane, int tasks, IntConsumer task, Runnable release) {
        Job job = new Job(lane, tasks, task, release);
        if (tasks == 0) {
            job.done.complete(null);
            release.run();
            return job;
        }
        int starting;
        synchronized (lock) {
            int inLane = admitted.get(lane);
            if (inLane >= admitPerLane) {
                release.run();
                throw new RejectedExecutionException(inLane + " " + lane.name().toLowerCase(Locale.ROOT)
                    + " requests are running or waiting for the node's " + size + " inference threads");
            }
            admitted.put(lane, inLane + 1);
            waiting.get(lane).addLast(job);
            // as many idle threads as the job has tasks: one request's model runs go in parallel on an idle node
            starting = Math.min(size - workers, tasks);
            workers += Math.max(0, starting);
        }
        for (int started = 0; started < starting; started++) {
            try {
                threads.execute(this::work);
            } catch (RejectedExecutionException e) {
                synchronized (lock) { // the node is stopping: the workers not started will not run
                    workers -= starting - started;
                    if (started == 0) { // nothing will run this job
                        job.dequeue();
                        releaseIfOut(job);
                    }
                }
                if (started == 0) {
                    job.done.completeExceptionally(e);
                    throw e;
                }
                break;
            }
        }
        return job;
    }

    /** Jobs admitted and not finished, per lane: for stats and tests. */
    public int admitted(Lane lane) {
        synchronized (lock) {
            return admitted.get(lane);
        }
    }

    /**
     * Runs the search lane's waiting tasks on the calling thread until none waits: a long ingest task calls it between its
     * model runs, so searches never wait for a whole ingest request.
     */
    public void runWaitingSearches() {
        for (Picked p = pick(Lane.SEARCH); p != null; p = pick(Lane.SEARCH)) {
            run(p);
        }
    }

    private void work() {
        while (true) {
            Picked p;
            synchronized (lock) {
                p = pick(Lane.SEARCH);
                if (p == null) {
                    p = pick(Lane.INGEST);
                }
                if (p == null) {
                    workers--;
                    return;
                }
            }
            run(p);
        }
    }

    /** Runs a task; a job's reference is let go before its future completes, so a caller that returns holds nothing. */
    private void run(Picked p) {
        Throwable failure = null;
        try {
            p.job.task.accept(p.index);
        } catch (Exception | LinkageError | AssertionError e) {
            // an Error must not reach the thread pool's uncaught-exception handler, which stops the node
            failure = e;
        }
        boolean last;
        synchronized (lock) {
            p.job.running--;
            if (failure != null) {
                p.job.dequeue();
            }
            last = failure == null && --p.job.remaining == 0;
            releaseIfOut(p.job);
        }
        if (failure != null) {
            p.job.done.completeExceptionally(failure);
        } else if (last) {
            p.job.done.complete(null);
        }
    }

    /** The next task of a lane, taking turns between its jobs; null when none waits. */
    private Picked pick(Lane lane) {
        synchronized (lock) {
            ArrayDeque<Job> jobs = waiting.get(lane);
            for (Job job = jobs.pollFirst(); job != null; job = jobs.pollFirst()) {
                int index = job.next++;
                job.running++;
                if (job.next < job.tasks) {
                    jobs.addLast(job); // the other jobs of the lane go first next time
                } else {
                    job.queued = false;
                }
                return new Picked(job, index);
            }
            return null;
        }
    }

    /** Under the lock: a job none of whose tasks runs or will run leaves its lane and lets go of what it held. */
    private void releaseIfOut(Job job) {
        if (job.queued == false && job.running == 0 && job.released == false) {
            job.released = true;
            admitted.put(job.lane, admitted.get(job.lane) - 1);
            job.release.run();
        }
    }

    private void await(Job job, long started, long timeout, BooleanSupplier cancelled) {
        try {
            while (true) {
                long left = started + timeout - System.nanoTime();
                if (left <= 0) {
                    job.stop();
                    throw new InferenceTimeoutException("model inference did not finish within " + TimeUnit.NANOSECONDS.toMillis(timeout) + "ms");
                }
                try {
                    job.done.get(Math.min(left, CANCEL_POLL_NANOS), TimeUnit.NANOSECONDS);
                    return;
                } catch (TimeoutException e) {
                    if (cancelled.getAsBoolean()) {
                        job.stop();
                        throw new InferenceCancelledException("the search was cancelled while waiting for model inference");
                    }
                }
            }
        } catch (InterruptedException e) {
            job.stop();
            Thread.currentThread().interrupt();
            throw new InferenceException("interrupted while waiting for model inference", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ? e.getCause().getCause() : e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new InferenceException("model inference failed: " + cause, cause);
        }
    }

    private record Picked(Job job, int index) {}

    /** One request's tasks; its fields are guarded by the scheduler's lock. */
    public final class Job {
        private final Lane lane;
        private final int tasks;
        private final IntConsumer task;
        private final Runnable release;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private int remaining;
        private int next;
        private int running;
        private boolean queued = true;
        private boolean released;

        private Job(Lane lane, int tasks, IntConsumer task, Runnable release) {
            this.lane = lane;
            this.tasks = tasks;
            this.task = task;
            this.release = release;
            this.remaining = tasks;
        }

        /** Completes when every task has run, or with the first failure. */
        public CompletableFuture<Void> done() {
            return done;
        }

        /** Drops the tasks not started; the ones running finish. */
        public void stop() {
            synchronized (lock) {
                dequeue();
                releaseIfOut(this);
            }
        }

        private void dequeue() {
            if (queued) {
                waiting.get(lane).remove(this);
                queued = false;
            }
        }
    }
}
