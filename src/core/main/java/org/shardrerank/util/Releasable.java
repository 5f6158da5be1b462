package org.shardrerank.util;

/** Something held until closed (a model reference, a memory charge); closing never throws a checked exception. */
@FunctionalInterface
public interface Releasable extends AutoCloseable {
    @Override
    void close();

    /** A releasable that runs {@code release} on its first close only. */
    static Releasable once(Runnable release) {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                release.run();
            }
        };
    }
}
