package org.shardrerank.inference;

/** The request that waited for model runs was cancelled; its runs not started yet were dropped. */
public class InferenceCancelledException extends RuntimeException {
    public InferenceCancelledException(String message) {
        super(message);
    }
}
