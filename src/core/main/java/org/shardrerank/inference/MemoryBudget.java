package org.shardrerank.inference;

/**
 * Where inference accounts the memory it holds: the engine's circuit breaker behind an adapter, so a request that would
 * take the node over its limit is refused before it allocates.
 */
public interface MemoryBudget {
    /**
     * Reserves {@code bytes}; {@code label} names what in the error.
     *
     * @throws MemoryLimitException when the budget (or the engine's parent limit) would be exceeded; nothing is reserved then
     */
    void reserve(long bytes, String label);

    /** Gives back bytes reserved before. */
    void release(long bytes);

    /** No limit, nothing accounted: benchmarks and tests of other things. */
    MemoryBudget UNLIMITED = new MemoryBudget() {
        @Override
        public void reserve(long bytes, String label) {}

        @Override
        public void release(long bytes) {}
    };
}
