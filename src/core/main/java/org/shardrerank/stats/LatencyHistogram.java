package org.shardrerank.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * Lock-free latency histogram with log-spaced buckets (each 25% wider than the previous, 0.1 ms to ~10 min):
 * percentiles are bucket upper bounds, within 25% of the truth, at constant memory whatever the traffic.
 */
final class LatencyHistogram {
    private static final double FIRST_MS = 0.1;
    private static final double GROWTH = 1.25;
    private static final int BUCKETS = 72;

    private final LongAdder[] counts = new LongAdder[BUCKETS];

    LatencyHistogram() {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = new LongAdder();
        }
    }

    void record(double millis) {
        int bucket = millis <= FIRST_MS ? 0 : (int) Math.ceil(Math.log(millis / FIRST_MS) / Math.log(GROWTH));
        counts[Math.min(bucket, BUCKETS - 1)].increment();
    }

    long count() {
        long n = 0;
        for (LongAdder c : counts) {
            n += c.sum();
        }
        return n;
    }

    /** Upper bound in ms of the bucket holding the {@code p}-th percentile, or 0 with no data. */
    double percentile(double p) {
        long[] snapshot = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = counts[i].sum();
            total += snapshot[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p / 100.0 * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                return Math.round(FIRST_MS * Math.pow(GROWTH, i) * 100) / 100.0;
            }
        }
        return FIRST_MS * Math.pow(GROWTH, BUCKETS - 1);
    }
}
