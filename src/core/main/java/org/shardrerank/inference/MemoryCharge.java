package org.shardrerank.inference;

import org.shardrerank.util.Releasable;

/**
 * Bytes one piece of work holds against the node's inference {@link MemoryBudget}, given back all at once on close.
 * Charged before (or, where the size is only known after, right after) the memory is allocated; one thread per charge.
 */
public final class MemoryCharge implements Releasable {
    private final MemoryBudget budget;
    private long bytes;

    public MemoryCharge(MemoryBudget budget) {
        this.budget = budget;
    }

    /**
     * Adds {@code bytes} under {@code label} (the refusal names it).
     *
     * @throws MemoryLimitException when the budget would go over its limit; nothing is added then
     */
    public void add(long bytes, String label) {
        budget.reserve(bytes, label);
        this.bytes += bytes;
    }

    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (bytes != 0) {
            budget.release(bytes);
            bytes = 0;
        }
    }
}
