package org.shardrerank.elasticsearch.util;

import org.elasticsearch.ElasticsearchStatusException;
import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.common.breaker.CircuitBreakingException;
import org.elasticsearch.common.util.concurrent.EsRejectedExecutionException;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.tasks.TaskCancelledException;
import org.junit.Test;
import org.shardrerank.elasticsearch.EsTestCase;
import org.shardrerank.inference.InferenceCancelledException;
import org.shardrerank.inference.MemoryLimitException;
import org.shardrerank.util.StatusException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

public class ErrorsTests extends EsTestCase {

    @Test
    public void testStatusExceptionsKeepTheirCodeAndMessage() {
        for (StatusException.Status s : StatusException.Status.values()) {
            RuntimeException e = Errors.translate(new StatusException("[cross_encoder] x", s));
            assertTrue(e instanceof ElasticsearchStatusException);
            assertEquals(s.code, ExceptionsHelper.status(e).getStatus());
            assertEquals("[cross_encoder] x", e.getMessage());
        }
    }

    @Test
    public void testAFullBreakerOrQueueIs429() {
        RuntimeException breaker = Errors.translate(new MemoryLimitException("[shard_rerank] Data too large", 10, 5, null));
        assertTrue(breaker instanceof CircuitBreakingException);
        assertEquals(RestStatus.TOO_MANY_REQUESTS, ExceptionsHelper.status(breaker));
        CircuitBreakingException original = new CircuitBreakingException("tripped", 10, 5,
            org.elasticsearch.common.breaker.CircuitBreaker.Durability.TRANSIENT);
        assertSame(original, Errors.translate(new MemoryLimitException("tripped", 10, 5, original)));

        RuntimeException queue = Errors.translate(new RejectedExecutionException("2 search requests are running"));
        assertTrue(queue instanceof EsRejectedExecutionException);
        assertEquals(RestStatus.TOO_MANY_REQUESTS, ExceptionsHelper.status(queue));
        assertEquals("[cross_encoder] the inference queue is full: 2 search requests are running", queue.getMessage());
        EsRejectedExecutionException esQueue = new EsRejectedExecutionException("full");
        assertSame(esQueue, Errors.translate(esQueue));
    }

    @Test
    public void testCancellationAndTheRest() {
        RuntimeException cancelled = Errors.translate(new InferenceCancelledException("the search was cancelled"));
        assertTrue(cancelled instanceof TaskCancelledException);
        assertEquals("[cross_encoder] the search was cancelled", cancelled.getMessage());
        IllegalArgumentException bad = new IllegalArgumentException("[cross_encoder] unknown field [x]");
        assertSame(bad, Errors.translate(bad));
        assertEquals(RestStatus.BAD_REQUEST, ExceptionsHelper.status(bad));
    }

    @Test
    public void testFailedFuturesAreUnwrapped() {
        Exception e = Errors.translate((Throwable) new CompletionException(new StatusException("nan", StatusException.Status.INTERNAL_SERVER_ERROR)));
        assertEquals(RestStatus.INTERNAL_SERVER_ERROR, ExceptionsHelper.status(e));
        Exception checked = new java.io.IOException("disk");
        assertSame(checked, Errors.translate((Throwable) checked));
        assertTrue(Errors.translate((Throwable) new AssertionError("boom")) instanceof RuntimeException);
    }
}
