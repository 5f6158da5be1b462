package org.shardrerank.inference;

/** Model runs did not finish within the request's time budget. */
public class InferenceTimeoutException extends RuntimeException {
    public InferenceTimeoutException(String message) {
        super(message);
    }
}
