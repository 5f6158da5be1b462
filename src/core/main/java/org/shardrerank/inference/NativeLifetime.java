package org.shardrerank.inference;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.shardrerank.util.Releasable;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Frees a model's native memory (ONNX session, tokenizer) only once no thread can be inside it: freeing it under a
 * running call crashes the JVM, and batches keep running on the inference pool after their caller timed out. The
 * owner holds one reference from load to {@link #retire()}; every native call holds another for its duration.
 */
final class NativeLifetime {
    private static final Logger logger = LogManager.getLogger(NativeLifetime.class);
    private final String name;
    private final Runnable free;
    private final AtomicInteger references = new AtomicInteger(1); // the owner's
    private final AtomicBoolean retired = new AtomicBoolean();

    NativeLifetime(String name, Runnable free) {
        this.name = name;
        this.free = free;
    }

    /** A reference that keeps the memory alive until released; refused only once the memory was freed. */
    Releasable acquire() {
        int n;
        do {
            n = references.get();
            if (n <= 0) {
                throw new InferenceException("model [" + name + "] was closed", null);
            }
        } while (references.compareAndSet(n, n + 1) == false);
        return Releasable.once(this::release);
    }

    /** Drops the owner's reference: the memory is freed now if idle, else when the last call releases. */
    void retire() {
        if (retired.compareAndSet(false, true)) {
            release();
        }
    }

    private void release() {
        if (references.decrementAndGet() == 0) {
            free();
        }
    }

    /** Runs on whichever thread releases last, maybe a request's: a failure to free is logged, never thrown at it. */
    private void free() {
        try {
            free.run();
            logger.debug("freed model [{}]", name);
        } catch (RuntimeException e) {
            logger.warn("freeing model [{}] failed: {}", name, e.getMessage());
        }
    }
}
