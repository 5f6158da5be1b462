package org.shardrerank.inference;

import org.opensearch.common.lease.Releasable;
import org.opensearch.test.OpenSearchTestCase;

import java.util.concurrent.atomic.AtomicInteger;

public class NativeLifetimeTests extends OpenSearchTestCase {

    public void testFreesOnceWhenRetiredAndIdle() {
        AtomicInteger frees = new AtomicInteger();
        NativeLifetime lifetime = new NativeLifetime("m", frees::incrementAndGet);
        Releasable a = lifetime.acquire();
        Releasable b = lifetime.acquire();
        lifetime.retire();
        lifetime.retire();
        assertEquals("retired, but in use", 0, frees.get());
        a.close();
        a.close();
        assertEquals("a second release of the same reference does not count", 0, frees.get());
        lifetime.acquire().close();
        b.close();
        assertEquals(1, frees.get());
        assertEquals("model [m] was closed", expectThrows(InferenceException.class, lifetime::acquire).getMessage());
    }

    public void testFreesAtOnceWhenIdle() {
        AtomicInteger frees = new AtomicInteger();
        NativeLifetime lifetime = new NativeLifetime("m", frees::incrementAndGet);
        lifetime.acquire().close();
        assertEquals(0, frees.get());
        lifetime.retire();
        assertEquals(1, frees.get());
    }

    public void testAFailureToFreeIsNotThrownAtTheLastUser() {
        NativeLifetime lifetime = new NativeLifetime("m", () -> { throw new IllegalStateException("boom"); });
        Releasable user = lifetime.acquire();
        lifetime.retire();
        user.close();
        expectThrows(InferenceException.class, lifetime::acquire);
    }
}
