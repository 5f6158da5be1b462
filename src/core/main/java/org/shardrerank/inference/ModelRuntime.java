package org.shardrerank.inference;

import org.shardrerank.util.Releasable;

import java.io.Closeable;

/**
 * A loaded model's native side, shared by every thread. {@link #close()} retires it rather than freeing it at once:
 * calls in flight, including batches on the inference pool, finish first.
 */
public interface ModelRuntime extends Closeable {

    /**
     * Keeps the model usable until released, for a caller that makes several calls (a rescore resolves the model,
     * then scores). Fails only once the model was closed and its last call ended.
     */
    Releasable acquire();

    /** Retires the model: no new owner, native memory freed when the last reference is released. */
    @Override
    void close();
}
