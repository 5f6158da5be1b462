package org.shardrerank.util;

/**
 * A failure whose HTTP status the core knows (a closed registry, a full queue, a model that returned NaN): each engine
 * adapter turns it into its own status exception, so the core never imports an engine's.
 */
public class StatusException extends RuntimeException {
    /** The statuses the core answers with; the adapters map the code. */
    public enum Status {
        BAD_REQUEST(400), NOT_FOUND(404), CONFLICT(409), TOO_MANY_REQUESTS(429), INTERNAL_SERVER_ERROR(500),
        SERVICE_UNAVAILABLE(503), GATEWAY_TIMEOUT(504);

        public final int code;

        Status(int code) {
            this.code = code;
        }
    }

    private final Status status;

    public StatusException(String message, Status status) {
        this(message, status, null);
    }

    public StatusException(String message, Status status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
