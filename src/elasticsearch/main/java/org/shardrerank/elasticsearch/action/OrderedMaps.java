package org.shardrerank.elasticsearch.action;

import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain-value maps between nodes in the order they were built: Elasticsearch's generic maps keep their order only when
 * they are {@link LinkedHashMap}s (any other map arrives as a {@code HashMap}), so every map is copied into one first.
 */
final class OrderedMaps {
    private OrderedMaps() {}

    static void write(StreamOutput out, Map<String, Object> map) throws IOException {
        out.writeGenericValue(ordered(map));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(StreamInput in) throws IOException {
        return (Map<String, Object>) in.readGenericValue();
    }

    private static Object ordered(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, ordered(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(ordered(v)));
            return copy;
        }
        return value;
    }
}
