package org.shardrerank.opensearch.action;

import org.opensearch.Version;
import org.opensearch.action.FailedNodeException;
import org.opensearch.cluster.ClusterName;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.test.OpenSearchTestCase;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class ModelsResponseTests extends OpenSearchTestCase {
    private static final ClusterName CLUSTER = new ClusterName("c");

    private static DiscoveryNode node(String id) {
        return new DiscoveryNode("node-" + id, id, buildNewFakeTransportAddress(), Map.of(), DiscoveryNode.getRolesFromSettings(Settings.EMPTY),
            Version.CURRENT);
    }

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

    private static String json(ModelsResponse r) throws IOException {
        XContentBuilder b = JsonXContent.contentBuilder();
        r.toXContent(b, ToXContent.EMPTY_PARAMS);
        return BytesReference.bytes(b).utf8ToString();
    }

    private static ModelsResponse threeNodes() {
        ModelsResponse.Node a = new ModelsResponse.Node(node("a"), "cpu", null, "shard-rerank/models", List.of(
            model("ce", "loaded", "generation", 2, "sha256", Map.of("model.onnx", "ab".repeat(32))),
            model("broken", "failed", "error", "sha256 of [model.onnx] is 00, the descriptor says ff")));
        ModelsResponse.Node b = new ModelsResponse.Node(node("b"), "cpu", "UnsatisfiedLinkError: libcudart.so.12", null, List.of(
            model("broken", "failed", "error", "sha256 of [model.onnx] is 00, the descriptor says ff")));
        return new ModelsResponse(CLUSTER, List.of(a, b), List.of(new FailedNodeException("c", "gone", new IOException("down"))));
    }

    public void testWireRoundTripKeepsEveryNodeAndFieldInOrder() throws IOException {
        ModelsResponse r = threeNodes();
        BytesStreamOutput out = new BytesStreamOutput();
        r.writeTo(out);
        try (StreamInput in = out.bytes().streamInput()) {
            ModelsResponse copy = new ModelsResponse(in);
            assertEquals(json(r), json(copy));
            assertEquals(2, copy.getNodes().size());
            assertEquals(1, copy.failures().size());
        }
    }

    public void testSummaryCountsStatesAcrossNodesAndAModelMissingOnANodeShowsThere() throws IOException {
        String json = json(threeNodes());
        assertTrue(json, json.contains("\"_nodes\":{\"total\":3,\"successful\":2,\"failed\":1"));
        assertTrue(json, json.contains("\"models\":[{\"name\":\"broken\",\"type\":\"cross_encoder\",\"states\":{\"failed\":2}},"
            + "{\"name\":\"ce\",\"type\":\"cross_encoder\",\"states\":{\"loaded\":1,\"missing\":1}}]"));
        assertTrue(json, json.contains("\"a\":{\"name\":\"node-a\",\"device\":\"cpu\",\"models_path\":\"shard-rerank/models\",\"models\":["
            + "{\"name\":\"broken\",\"state\":\"failed\",\"type\":\"cross_encoder\",\"error\":\"sha256 of [model.onnx] is 00, the descriptor says ff\"},"
            + "{\"name\":\"ce\",\"state\":\"loaded\",\"type\":\"cross_encoder\",\"generation\":2,"));
        assertTrue("b has no ce folder: " + json, json.contains("\"b\":{\"name\":\"node-b\",\"device\":\"cpu\","
            + "\"device_fallback_reason\":\"UnsatisfiedLinkError: libcudart.so.12\",\"models\":[{\"name\":\"broken\",\"state\":\"failed\","
            + "\"type\":\"cross_encoder\",\"error\":\"sha256 of [model.onnx] is 00, the descriptor says ff\"},{\"name\":\"ce\",\"state\":\"missing\"}]}"));
    }

    public void testTheModelsPathIsShownRelativeToTheConfigFolderOrNotAtAll() {
        Path config = createTempDir().resolve("config");
        assertEquals(Path.of("shard-rerank", "models").toString(),
            TransportModelsAction.relativeTo(config, config.resolve("shard-rerank").resolve("models")));
        assertEquals(Path.of("m").toString(), TransportModelsAction.relativeTo(config, config.resolve("x").resolve("..").resolve("m")));
        assertNull(TransportModelsAction.relativeTo(config, config.resolveSibling("elsewhere")));
    }
}
