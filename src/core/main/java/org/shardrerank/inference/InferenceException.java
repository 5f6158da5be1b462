package org.shardrerank.inference;

/** A model run failed (the model, not the request, is at fault). */
public class InferenceException extends RuntimeException {
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
