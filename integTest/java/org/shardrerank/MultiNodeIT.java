package org.shardrerank;

import org.junit.ClassRule;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Three nodes on 127.0.0.1 (started here by scripts/node.sh), an index of 3 shards and 1 replica: reranked results
 * are identical across repeated searches, replica choices and a node restart; a model missing on one node fails
 * that node's shards with a clear reason instead of answering wrongly.
 */
public class MultiNodeIT extends RerankRestTestCase {
    @ClassRule
    public static final LocalCluster CLUSTER = new LocalCluster(System.getProperty("tests.multi.dir", "target/integ-multi"),
        Integer.getInteger("tests.multi.http.port", 9260), 3, "");

    @Override
    protected String hosts() {
        return CLUSTER.hosts();
    }

    private static final String RERANK = "{\"size\":10,\"query\":{\"match\":{\"text\":\"goldfish\"}},\"rescore\":{\"window_size\":20,"
        + "\"cross_encoder\":{\"model\":\"%s\",\"query_text\":\"goldfish grow large\",\"fields\":[\"text\"]}}}";

    private void createIndex(String name, int replicas) throws IOException {
        // one copy of each shard per node, so every node holds a known share of the index
        call("PUT", "/" + name, "{\"settings\":{\"number_of_shards\":3,\"number_of_replicas\":" + replicas + ","
            + "\"index.routing.allocation.total_shards_per_node\":" + (replicas + 1) + "},"
            + "\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        String[] words = { "goldfish", "grow", "large", "tank", "pond", "koi", "water" };
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            StringBuilder text = new StringBuilder("goldfish ");
            for (int w = 0; w < 3 + i % 9; w++) {
                text.append(words[(i * 5 + w * 3) % words.length]).append(' ');
            }
            docs.put("d" + i, "{\"text\":\"" + text + "\"}");
        }
        bulk(name, docs);
        call("GET", "/_cluster/health/" + name + "?wait_for_status=green&timeout=60s", null);
    }

    /** (id, score) pairs of a search, the unit of comparison between replicas. */
    private List<String> ranking(String index, String preference, String model) throws IOException {
        Map<String, Object> r = call("POST", "/" + index + "/_search?preference=" + preference, String.format(java.util.Locale.ROOT, RERANK, model));
        List<String> out = new ArrayList<>();
        for (Map<String, Object> h : hits(r)) {
            out.add(h.get("_id") + "=" + h.get("_score"));
        }
        return out;
    }

    @Test
    public void testSameResultsAcrossReplicasRepeatsAndARestart() throws Exception {
        createIndex("multi", 1);
        String[] copies = copyPreferences();
        List<String> expected = ranking("multi", copies[0], "overlap-logit");
        assertEquals(10, expected.size());
        for (String preference : new String[] { copies[0], copies[1], "a", "b", "c", "_local" }) {
            for (int i = 0; i < 3; i++) {
                assertEquals("preference " + preference, expected, ranking("multi", preference, "overlap-logit"));
            }
        }
        CLUSTER.stopNode(3);
        call("GET", "/_cluster/health/multi?wait_for_nodes=2&timeout=60s", null);
        assertEquals("two nodes left serve the same results", expected, ranking("multi", "x", "overlap-logit"));
        CLUSTER.startNode(3);
        call("GET", "/_cluster/health/multi?wait_for_nodes=3&wait_for_status=green&timeout=120s", null);
        copies = copyPreferences();
        for (String preference : new String[] { copies[0], copies[1], "y" }) {
            assertEquals("after the restart, " + preference, expected, ranking("multi", preference, "overlap-logit"));
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testModelMissingOnOneNodeFailsThoseShardsClearly() throws Exception {
        createIndex("partial", 0);
        Path model = CLUSTER.models(2).resolve("overlap-2class");
        Path moved = CLUSTER.models(2).resolveSibling("overlap-2class.removed"); // out of the models folder
        Files.move(model, moved);
        try {
            Map<String, Object> r = call("POST", "/partial/_search", String.format(java.util.Locale.ROOT, RERANK, "overlap-2class"));
            Map<String, Object> shards = (Map<String, Object>) r.get("_shards");
            assertEquals("node-2 holds exactly one shard: " + r, 1, ((Number) shards.get("failed")).intValue());
            assertEquals("the other shards still answer", 2, ((Number) shards.get("successful")).intValue());
            assertTrue(r.toString(), r.toString().contains("unknown model [overlap-2class]"));
            assertFalse(hits(r).isEmpty());
        } finally {
            Files.move(moved, model);
        }
        assertEquals(10, ranking("partial", copyPreferences()[0], "overlap-2class").size());
    }

    /** Load and reload act on every node (or the named ones), and each node reports its own outcome. */
    @SuppressWarnings("unchecked")
    @Test
    public void testModelOperationsRunOnEveryNode() throws Exception {
        Map<String, Object> reload = call("POST", ENGINE.restPrefix() + "/models/overlap-logit/_reload", null);
        Map<String, Object> nodes = (Map<String, Object>) reload.get("nodes");
        assertEquals(reload.toString(), 3, nodes.size());
        assertEquals(reload.toString(), false, reload.get("errors"));
        for (Object n : nodes.values()) {
            Map<String, Object> node = (Map<String, Object>) n;
            assertEquals(node.toString(), "loaded", node.get("after"));
            assertTrue(node.toString(), ((Number) node.get("generation")).intValue() >= 2);
        }
        Map<String, Object> one = call("POST", ENGINE.restPrefix() + "/models/overlap-logit/_load?nodes=node-3", null);
        Map<String, Object> only = (Map<String, Object>) one.get("nodes");
        assertEquals(one.toString(), 1, only.size());
        assertEquals("node-3", ((Map<String, Object>) only.values().iterator().next()).get("name"));

        // a model installed on nodes 1 and 3 only
        List<Path> copies = new ArrayList<>();
        for (int node : List.of(1, 3)) {
            Path models = CLUSTER.models(node);
            Path copy = Files.createDirectories(models.resolve("partial-it"));
            copies.add(copy);
            Files.copy(models.resolve("overlap-logit").resolve("model.onnx"), copy.resolve("model.onnx"));
            Files.copy(models.resolve("overlap-logit").resolve("tokenizer.json"), copy.resolve("tokenizer.json"));
            Files.writeString(copy.resolve("model.json"), Files.readString(models.resolve("overlap-logit").resolve("model.json"))
                .replace("\"name\": \"overlap-logit\"", "\"name\": \"partial-it\""));
        }
        try {
            Map<String, Object> partial = call("POST", ENGINE.restPrefix() + "/models/partial-it/_load", null);
            assertEquals(partial.toString(), true, partial.get("errors"));
            for (Object n : ((Map<String, Object>) partial.get("nodes")).values()) {
                Map<String, Object> node = (Map<String, Object>) n;
                boolean node2 = "node-2".equals(node.get("name"));
                assertEquals(node.toString(), node2 ? "missing" : "loaded", node.get("after"));
                assertEquals(node.toString(), node2, node.containsKey("error"));
            }
            assertListing(ENGINE.restPrefix() + "/models", Map.of("loaded", 2, "missing", 1), 3);
            assertListing(ENGINE.restPrefix() + "/node-1,node-2/models", Map.of("loaded", 1, "missing", 1), 2);
        } finally {
            call("POST", ENGINE.restPrefix() + "/models/partial-it/_unload", null);
            for (Path copy : copies) {
                deleteRecursively(copy);
            }
        }
    }

    /** The listing shows partial-it as missing on node-2 only, and sums its states up across the nodes asked. */
    @SuppressWarnings("unchecked")
    private void assertListing(String path, Map<String, Object> states, int nodes) throws IOException {
        Map<String, Object> listing = call("GET", path, null);
        assertEquals(listing.toString(), nodes, ((Map<String, Object>) listing.get("_nodes")).get("successful"));
        Map<String, Object> summary = ((List<Map<String, Object>>) listing.get("models")).stream()
            .filter(m -> "partial-it".equals(m.get("name"))).findFirst().orElseThrow();
        assertEquals(Map.of("name", "partial-it", "type", "cross_encoder", "states", states), summary);
        Map<String, Object> perNode = (Map<String, Object>) listing.get("nodes");
        assertEquals(nodes, perNode.size());
        for (Object n : perNode.values()) {
            Map<String, Object> node = (Map<String, Object>) n;
            Map<String, Object> entry = ((List<Map<String, Object>>) node.get("models")).stream()
                .filter(m -> "partial-it".equals(m.get("name"))).findFirst().orElseThrow();
            boolean node2 = "node-2".equals(node.get("name"));
            assertEquals(node.toString(), node2 ? "missing" : "loaded", entry.get("state"));
            assertEquals("shard-rerank/models", node.get("models_path"));
            assertEquals(node.toString(), node2 ? null : 1, entry.get("generation"));
        }
    }
}
