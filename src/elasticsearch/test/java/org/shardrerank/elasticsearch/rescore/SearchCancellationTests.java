package org.shardrerank.elasticsearch.rescore;

import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.tasks.TaskCancelledException;
import org.junit.Test;
import org.shardrerank.elasticsearch.EsTestCase;
import org.shardrerank.inference.InferenceCancelledException;

import java.util.concurrent.atomic.AtomicInteger;

public class SearchCancellationTests extends EsTestCase {

    @Test
    public void testARunningSearchGoesOn() {
        RescoreContext context = new RescoreContext(10, null);
        AtomicInteger checks = new AtomicInteger();
        context.setCancellationChecker(checks::incrementAndGet);
        SearchCancellation cancellation = new SearchCancellation(context);
        assertFalse(cancellation.getAsBoolean());
        assertFalse(cancellation.getAsBoolean());
        assertEquals(2, checks.get());
        // outside the rescore phase there is no checker: never cancelled
        assertFalse(new SearchCancellation(new RescoreContext(10, null)).getAsBoolean());
    }

    @Test
    public void testTheSearchsOwnExceptionIsRethrownOnceTheCoreGivesUp() {
        RescoreContext context = new RescoreContext(10, null);
        TaskCancelledException original = new TaskCancelledException("task cancelled [by user request]");
        AtomicInteger checks = new AtomicInteger();
        context.setCancellationChecker(() -> {
            checks.incrementAndGet();
            throw original;
        });
        SearchCancellation cancellation = new SearchCancellation(context);
        assertTrue(cancellation.getAsBoolean());
        assertTrue("remembered, not asked again", cancellation.getAsBoolean());
        assertEquals(1, checks.get());
        assertSame(original, cancellation.reason(new InferenceCancelledException("the search was cancelled")));
    }

    @Test
    public void testTheCoresOwnCancellationIsTranslatedWhenTheSearchSaidNothing() {
        SearchCancellation cancellation = new SearchCancellation(new RescoreContext(10, null));
        RuntimeException e = cancellation.reason(new InferenceCancelledException("the search was cancelled"));
        assertTrue(e instanceof TaskCancelledException);
        assertEquals("[cross_encoder] the search was cancelled", e.getMessage());
    }
}
