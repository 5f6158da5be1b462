package org.shardrerank.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The node's counters, in total and per model. */
public final class RerankStats {
    private final Counters node = new Counters();
    private final Map<String, Counters> models = new ConcurrentHashMap<>();

    public void add(String model, StatName name, long delta) {
        node.add(name, delta);
        models.computeIfAbsent(model, m -> new Counters()).add(name, delta);
    }

    public void increment(String model, StatName name) {
        add(model, name, 1);
    }

    /** Latency of one rescore's inference on a shard. */
    public void recordLatency(String model, double millis) {
        node.recordLatency(millis);
        models.computeIfAbsent(model, m -> new Counters()).recordLatency(millis);
    }

    public long get(StatName name) {
        return node.get(name);
    }

    /** Plain values only, so the snapshot travels as a generic map between nodes. */
    public Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>(node.snapshot());
        Map<String, Object> perModel = new TreeMap<>();
        models.forEach((name, c) -> perModel.put(name, c.snapshot()));
        out.put("models", perModel);
        return out;
    }
}
