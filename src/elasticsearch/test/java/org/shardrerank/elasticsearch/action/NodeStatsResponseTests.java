package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.FailedNodeException;
import org.junit.Test;
import org.shardrerank.elasticsearch.EsTestCase;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.shardrerank.elasticsearch.action.Nodes.CLUSTER;
import static org.shardrerank.elasticsearch.action.Nodes.node;

public class NodeStatsResponseTests extends EsTestCase {

    /** A snapshot as a node builds it: counters in the core's order, per-model maps of any kind. */
    private static Map<String, Object> snapshot() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("device", "cpu");
        s.put("rescore_requests", 3L);
        s.put("pairs", 42L);
        Map<String, Object> counters = new TreeMap<>(Map.of("state", "loaded", "rescore_requests", 3L, "latency_ms",
            new TreeMap<>(Map.of("p50", 1.5, "p99", 9.0))));
        Map<String, Object> models = new LinkedHashMap<>();
        models.put("overlap-logit", counters);
        models.put("all-minilm-l6-v2", Map.of("state", "not_loaded"));
        s.put("models", models);
        return s;
    }

    @Test
    public void testBodyAndWireRoundTrip() throws IOException {
        NodeStatsResponse r = new NodeStatsResponse(CLUSTER, List.of(new NodeStatsResponse.Node(node("a"), snapshot())),
            List.of(new FailedNodeException("b", "gone", new IOException("down"))));
        String json = Nodes.json(r);
        assertTrue(json, json.startsWith("{\"cluster_name\":\"c\",\"nodes\":{\"a\":{\"name\":\"node-a\",\"device\":\"cpu\","
            + "\"rescore_requests\":3,\"pairs\":42,\"models\":{\"overlap-logit\":{\"latency_ms\":{\"p50\":1.5,\"p99\":9.0},"
            + "\"rescore_requests\":3,\"state\":\"loaded\"},\"all-minilm-l6-v2\":{\"state\":\"not_loaded\"}}}},"));
        assertTrue(json, json.contains("\"failures\":[{\"node\":\"b\",\"reason\":"));
        NodeStatsResponse copy = Nodes.copy(r, NodeStatsResponse::new);
        assertEquals(json, Nodes.json(copy));
    }

    @Test
    public void testNoFailuresNoFailuresField() throws IOException {
        NodeStatsResponse r = new NodeStatsResponse(CLUSTER, List.of(new NodeStatsResponse.Node(node("a"), snapshot())), List.of());
        assertFalse(Nodes.map(r).containsKey("failures"));
        assertEquals(List.of("cluster_name", "nodes"), List.copyOf(Nodes.map(r).keySet()));
    }
}
