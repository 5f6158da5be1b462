package org.shardrerank.inference;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.opensearch.common.lease.Releasable;
import org.opensearch.common.lease.Releasables;
import org.opensearch.common.util.concurrent.AbstractRefCounted;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Frees a model's native memory (ONNX session, tokenizer) only once no thread can be inside it: freeing it under a
 * running call crashes the JVM, and batches keep running on the inference pool after their caller timed out. The
 * owner holds one reference from load to {@link #retire()}; every native call holds another for its duration.
 */
final class NativeLifetime extends AbstractRefCounted {
    private static final Logger logger = LogManager.getLogger(NativeLifetime.class);
    private final Runnable free;
    private final AtomicBoolean retired = new AtomicBoolean();

    NativeLifetime(String name, Runnable free) {
        super(name);
        this.free = free;
    }

    /** A reference that keeps the memory alive until released; refused only once the memory was freed. */
    Releasable acquire() {
        if (tryIncRef() == false) {
            throw new InferenceException("model [" + getName() + "] was closed", null);
        }
        return Releasables.releaseOnce(this::decRef);
    }

    /** Drops the owner's reference: the memory is freed now if idle, else when the last call releases. */
    void retire() {
        if (retired.compareAndSet(false, true)) {
            decRef();
        }
    }

    /** Runs on whichever thread releases last, maybe a request's: a failure to free is logged, never thrown at it. */
    @Override
    protected void closeInternal() {
        try {
            free.run();
            logger.debug("freed model [{}]", getName());
        } catch (RuntimeException e) {
            logger.warn("freeing model [{}] failed: {}", getName(), e.getMessage());
        }
    }
}
