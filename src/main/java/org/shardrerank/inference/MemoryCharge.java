package org.shardrerank.inference;

import org.opensearch.common.lease.Releasable;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.common.breaker.CircuitBreakingException;

/**
 * Bytes one piece of work holds against the node's inference circuit breaker, given back all at once on close.
 * Charged before (or, where the size is only known after, right after) the memory is allocated; one thread per charge.
 */
public final class MemoryCharge implements Releasable {
    private final CircuitBreaker breaker;
    private long bytes;

    public MemoryCharge(CircuitBreaker breaker) {
        this.breaker = breaker;
    }

    /**
     * Adds {@code bytes} under {@code label} (the breaker's message names it).
     *
     * @throws CircuitBreakingException when the breaker (or its parent) would go over its limit; nothing is added then
     */
    public void add(long bytes, String label) {
        breaker.addEstimateBytesAndMaybeBreak(bytes, label);
        this.bytes += bytes;
    }

    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (bytes != 0) {
            breaker.addWithoutBreaking(-bytes);
            bytes = 0;
        }
    }
}
