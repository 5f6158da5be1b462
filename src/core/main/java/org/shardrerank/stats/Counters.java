package org.shardrerank.stats;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** One set of counters and a latency histogram (for the node, or for one model). */
final class Counters {
    private final Map<StatName, LongAdder> values = new EnumMap<>(StatName.class);
    private final LatencyHistogram latency = new LatencyHistogram();

    Counters() {
        for (StatName name : StatName.values()) {
            values.put(name, new LongAdder());
        }
    }

    void add(StatName name, long delta) {
        values.get(name).add(delta);
    }

    void recordLatency(double millis) {
        latency.record(millis);
    }

    long get(StatName name) {
        return values.get(name).sum();
    }

    Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (StatName name : StatName.values()) {
            out.put(name.wireName(), get(name));
        }
        out.put("latency_p50_ms", latency.percentile(50));
        out.put("latency_p99_ms", latency.percentile(99));
        return out;
    }
}
