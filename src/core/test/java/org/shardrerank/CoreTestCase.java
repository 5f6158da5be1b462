package org.shardrerank;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.Assert;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.TestWatcher;
import org.junit.runner.Description;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Base of the core's unit tests: plain JUnit 4, no engine. Random inputs come from one seed per test, printed when the
 * test fails and fixed with {@code -Dtests.seed=N}.
 */
public abstract class CoreTestCase extends Assert {
    protected final Logger logger = LogManager.getLogger(getClass());
    private final long seed = Long.getLong("tests.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Rule
    public final TestWatcher seedOnFailure = new TestWatcher() {
        @Override
        protected void failed(Throwable e, Description d) {
            System.err.println("FAILED " + d.getDisplayName() + " with -Dtests.seed=" + seed);
        }
    };

    protected Random random() {
        return random;
    }

    protected Path createTempDir() {
        try {
            return temp.newFolder().toPath();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    protected static <T extends Throwable> T expectThrows(Class<T> type, ThrowingRunnable runnable) {
        return assertThrows(type, runnable::run);
    }

    /** A runnable that may throw anything, as {@link Assert#assertThrows} takes. */
    @FunctionalInterface
    protected interface ThrowingRunnable {
        void run() throws Throwable;
    }

    /** Retries {@code check} until it passes or 10 s have gone by, then rethrows its last failure. */
    protected static void assertBusy(ThrowingRunnable check) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            } catch (Exception e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            Thread.sleep(20);
        }
    }

    protected int randomIntBetween(int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    protected double randomDoubleBetween(double min, double max, boolean inclusive) {
        return min + random.nextDouble() * (max - min);
    }

    protected boolean randomBoolean() {
        return random.nextBoolean();
    }

    protected boolean rarely() {
        return random.nextInt(10) == 0;
    }

    @SafeVarargs
    protected final <T> T randomFrom(T... values) {
        return values[random.nextInt(values.length)];
    }

    protected <T> T randomFrom(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    protected <T> List<T> randomList(int min, int max, Supplier<T> value) {
        int n = randomIntBetween(min, max);
        List<T> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(value.get());
        }
        return list;
    }

    protected String randomAlphaOfLengthBetween(int min, int max) {
        int n = randomIntBetween(min, max);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }
}
