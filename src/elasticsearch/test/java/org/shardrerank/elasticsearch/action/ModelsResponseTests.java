package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.FailedNodeException;
import org.junit.Test;
import org.shardrerank.elasticsearch.EsTestCase;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.shardrerank.elasticsearch.action.Nodes.CLUSTER;
import static org.shardrerank.elasticsearch.action.Nodes.node;

public class ModelsResponseTests extends EsTestCase {

    private static Map<String, Object> model(String name, String state, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("state", state);
        m.put("type", "cross_encoder");
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    private static ModelsResponse threeNodes() {
        Map<String, String> sha = new TreeMap<>(Map.of("tokenizer.json", "cd".repeat(32), "model.onnx", "ab".repeat(32)));
        ModelsResponse.Node a = new ModelsResponse.Node(node("a"), "cpu", null, "shard-rerank/models", List.of(
            model("ce", "loaded", "generation", 2, "sha256", sha),
            model("broken", "failed", "error", "sha256 of [model.onnx] is 00, the descriptor says ff")));
        ModelsResponse.Node b = new ModelsResponse.Node(node("b"), "cpu", "UnsatisfiedLinkError: libcudart.so.12", null, List.of(
            model("broken", "failed", "error", "sha256 of [model.onnx] is 00, the descriptor says ff")));
        return new ModelsResponse(CLUSTER, List.of(a, b), List.of(new FailedNodeException("c", "gone", new IOException("down"))));
    }

    @Test
    public void testWireRoundTripKeepsEveryNodeAndFieldInOrder() throws IOException {
        ModelsResponse r = threeNodes();
        ModelsResponse copy = Nodes.copy(r, ModelsResponse::new);
        assertEquals(Nodes.json(r), Nodes.json(copy));
        assertEquals(2, copy.getNodes().size());
        assertEquals(1, copy.failures().size());
    }

    @Test
    public void testSummaryCountsStatesAcrossNodesAndAModelMissingOnANodeShowsThere() throws IOException {
        String json = Nodes.json(threeNodes());
        assertTrue(json, json.contains("\"_nodes\":{\"total\":3,\"successful\":2,\"failed\":1"));
        assertTrue(json, json.contains("\"models\":[{\"name\":\"broken\",\"type\":\"cross_encoder\",\"states\":{\"failed\":2}},"
            + "{\"name\":\"ce\",\"type\":\"cross_encoder\",\"states\":{\"loaded\":1,\"missing\":1}}]"));
        assertTrue(json, json.contains("\"a\":{\"name\":\"node-a\",\"device\":\"cpu\",\"models_path\":\"shard-rerank/models\",\"models\":["
            + "{\"name\":\"broken\",\"state\":\"failed\",\"type\":\"cross_encoder\",\"error\":\"sha256 of [model.onnx] is 00, the descriptor says ff\"},"
            + "{\"name\":\"ce\",\"state\":\"loaded\",\"type\":\"cross_encoder\",\"generation\":2,"
            + "\"sha256\":{\"model.onnx\":\"" + "ab".repeat(32) + "\",\"tokenizer.json\":\"" + "cd".repeat(32) + "\"}}]"));
        assertTrue("b has no ce folder: " + json, json.contains("\"b\":{\"name\":\"node-b\",\"device\":\"cpu\","
            + "\"device_fallback_reason\":\"UnsatisfiedLinkError: libcudart.so.12\",\"models\":[{\"name\":\"broken\",\"state\":\"failed\","
            + "\"type\":\"cross_encoder\",\"error\":\"sha256 of [model.onnx] is 00, the descriptor says ff\"},{\"name\":\"ce\",\"state\":\"missing\"}]}"));
    }

    @Test
    public void testTheModelsPathIsShownRelativeToTheConfigFolderOrNotAtAll() {
        Path config = createTempDir().resolve("config");
        assertEquals(Path.of("shard-rerank", "models").toString(),
            TransportModelsAction.relativeTo(config, config.resolve("shard-rerank").resolve("models")));
        assertEquals(Path.of("m").toString(), TransportModelsAction.relativeTo(config, config.resolve("x").resolve("..").resolve("m")));
        assertNull(TransportModelsAction.relativeTo(config, config.resolveSibling("elsewhere")));
    }
}
