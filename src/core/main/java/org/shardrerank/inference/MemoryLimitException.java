package org.shardrerank.inference;

/** A {@link MemoryBudget} refused a reservation; the adapters answer 429 as their engine's breakers do. */
public class MemoryLimitException extends RuntimeException {
    private final long bytesWanted;
    private final long limit;

    public MemoryLimitException(String message, long bytesWanted, long limit, Throwable cause) {
        super(message, cause);
        this.bytesWanted = bytesWanted;
        this.limit = limit;
    }

    public long bytesWanted() {
        return bytesWanted;
    }

    public long limit() {
        return limit;
    }
}
