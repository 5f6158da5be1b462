package org.shardrerank.stats;

import org.opensearch.core.xcontent.ToXContentFragment;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Node-wide counters of the plugin. */
public final class RerankStats implements ToXContentFragment {
    private final Map<StatName, LongAdder> counters = new EnumMap<>(StatName.class);

    public RerankStats() {
        for (StatName name : StatName.values()) {
            counters.put(name, new LongAdder());
        }
    }

    public void add(StatName name, long delta) {
        counters.get(name).add(delta);
    }

    public void increment(StatName name) {
        counters.get(name).increment();
    }

    public long get(StatName name) {
        return counters.get(name).sum();
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        for (StatName name : StatName.values()) {
            builder.field(name.wireName(), get(name));
        }
        return builder;
    }
}
