package org.shardrerank.inference;

import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.util.Releasable;

import java.util.concurrent.atomic.AtomicInteger;

public class NativeLifetimeTests extends CoreTestCase {

    @Test

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

    @Test

    public void testFreesAtOnceWhenIdle() {
        AtomicInteger frees = new AtomicInteger();
        NativeLifetime lifetime = new NativeLifetime("m", frees::incrementAndGet);
        lifetime.acquire().close();
        assertEquals(0, frees.get());
        lifetime.retire();
        assertEquals(1, frees.get());
    }

    @Test

    public void testAFailureToFreeIsNotThrownAtTheLastUser() {
        NativeLifetime lifetime = new NativeLifetime("m", () -> { throw new IllegalStateException("boom"); });
        Releasable user = lifetime.acquire();
        lifetime.retire();
        user.close();
        expectThrows(InferenceException.class, lifetime::acquire);
    }
}
