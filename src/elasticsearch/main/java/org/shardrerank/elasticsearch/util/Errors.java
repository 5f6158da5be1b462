package org.shardrerank.elasticsearch.util;

import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.breaker.CircuitBreakingException;
import org.elasticsearch.common.util.concurrent.EsRejectedExecutionException;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.tasks.TaskCancelledException;
import org.shardrerank.inference.InferenceCancelledException;
import org.shardrerank.inference.MemoryLimitException;
import org.shardrerank.util.StatusException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/** The core's exceptions as Elasticsearch answers them (status codes, 429 for a full queue or breaker, task cancelled). */
public final class Errors {
    private Errors() {}

    /** {@code e} as Elasticsearch's own exception when the core threw it; anything else unchanged. */
    public static RuntimeException translate(RuntimeException e) {
        if (e instanceof MemoryLimitException m) {
            return m.getCause() instanceof CircuitBreakingException original ? original
                : new CircuitBreakingException(m.getMessage(), m.bytesWanted(), m.limit(), CircuitBreaker.Durability.TRANSIENT);
        }
        if (e instanceof StatusException s) {
            return new ElasticsearchStatusException(s.getMessage(), RestStatus.fromCode(s.status().code), s.getCause());
        }
        if (e instanceof InferenceCancelledException) {
            return new TaskCancelledException("[cross_encoder] " + e.getMessage());
        }
        if (e instanceof RejectedExecutionException && e instanceof EsRejectedExecutionException == false) {
            return new EsRejectedExecutionException("[cross_encoder] the inference queue is full: " + e.getMessage());
        }
        return e;
    }

    /** For a failed future of the core: unwrapped, then {@link #translate} for runtime exceptions, others unchanged. */
    public static Exception translate(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RuntimeException r) {
            return translate(r);
        }
        return t instanceof Exception e ? e : new RuntimeException(t);
    }
}
