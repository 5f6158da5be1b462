package org.shardrerank.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The node's counters, in total and per model. Only models that exist get counters of their own: a name that a request
 * carries is counted in the node's totals alone, so requests cannot grow the stats.
 */
public final class RerankStats {
    private final Counters node = new Counters();
    private final Map<String, Counters> models = new ConcurrentHashMap<>();
    private final Predicate<String> exists;

    /** @param exists whether a model of that name exists on this node (a bounded set: the model folders) */
    public RerankStats(Predicate<String> exists) {
        this.exists = exists;
    }

    public void add(String model, StatName name, long delta) {
        node.add(name, delta);
        Counters c = of(model);
        if (c != null) {
            c.add(name, delta);
        }
    }

    public void increment(String model, StatName name) {
        add(model, name, 1);
    }

    /** Latency of one rescore's inference on a shard. */
    public void recordLatency(String model, double millis) {
        node.recordLatency(millis);
        Counters c = of(model);
        if (c != null) {
            c.recordLatency(millis);
        }
    }

    /** Models that no longer exist keep their counters until the node restarts (bounded by the folders there ever were). */
    private Counters of(String model) {
        Counters c = models.get(model);
        if (c == null && exists.test(model)) {
            c = models.computeIfAbsent(model, m -> new Counters());
        }
        return c;
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
