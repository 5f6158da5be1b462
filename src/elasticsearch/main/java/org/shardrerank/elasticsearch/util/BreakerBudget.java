package org.shardrerank.elasticsearch.util;

import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.breaker.CircuitBreakingException;
import org.shardrerank.inference.MemoryBudget;
import org.shardrerank.inference.MemoryLimitException;

/** The core's memory budget on an Elasticsearch circuit breaker (the plugin's child breaker, under the node's parent). */
public record BreakerBudget(CircuitBreaker breaker) implements MemoryBudget {
    @Override
    public void reserve(long bytes, String label) {
        try {
            breaker.addEstimateBytesAndMaybeBreak(bytes, label);
        } catch (CircuitBreakingException e) {
            throw new MemoryLimitException(e.getMessage(), e.getBytesWanted(), e.getByteLimit(), e);
        }
    }

    @Override
    public void release(long bytes) {
        breaker.addWithoutBreaking(-bytes);
    }
}
