package org.shardrerank.opensearch.action;

import org.opensearch.Version;
import org.opensearch.action.FailedNodeException;
import org.opensearch.cluster.ClusterName;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.test.OpenSearchTestCase;
import org.shardrerank.model.ModelChange;
import org.shardrerank.model.ModelState;

import java.io.IOException;
import java.util.List;
import java.util.Map;

public class ModelResponseTests extends OpenSearchTestCase {
    private static final ClusterName CLUSTER = new ClusterName("c");

    private static DiscoveryNode node(String id) {
        return new DiscoveryNode("node-" + id, id, buildNewFakeTransportAddress(), Map.of(), DiscoveryNode.getRolesFromSettings(Settings.EMPTY),
            Version.CURRENT);
    }

    private static ModelResponse.Node loaded(String id, String error) {
        return new ModelResponse.Node(node(id), new ModelChange("m", ModelState.LOADED, ModelState.LOADED, 1,
            Map.of("model.onnx", "ab".repeat(32)), error));
    }

    private static ModelResponse.Node missing(String id) {
        return new ModelResponse.Node(node(id), new ModelChange("m", ModelState.MISSING, ModelState.MISSING, 0, Map.of(), "unknown model [m]"));
    }

    private static Map<String, Object> json(ModelResponse r) throws IOException {
        XContentBuilder b = JsonXContent.contentBuilder();
        r.toXContent(b, ToXContent.EMPTY_PARAMS);
        return XContentHelper.convertToMap(BytesReference.bytes(b), false, XContentType.JSON).v2();
    }

    public void testWireRoundTrip() throws IOException {
        ModelResponse r = new ModelResponse(CLUSTER, ModelOperation.RELOAD, "m", List.of(loaded("a", "sha256 of [model.onnx] is x"),
            missing("b")), List.of(new FailedNodeException("c", "gone", new IOException("down"))));
        BytesStreamOutput out = new BytesStreamOutput();
        r.writeTo(out);
        try (StreamInput in = out.bytes().streamInput()) {
            ModelResponse copy = new ModelResponse(in);
            assertEquals(json(r), json(copy));
            assertEquals(2, copy.getNodes().size());
            assertEquals(1, copy.failures().size());
        }
    }

    @SuppressWarnings("unchecked")
    public void testBody() throws IOException {
        Map<String, Object> body = json(new ModelResponse(CLUSTER, ModelOperation.RELOAD, "m", List.of(loaded("a", "sha256 of [model.onnx] is x")),
            List.of()));
        assertEquals("reload", body.get("operation"));
        assertEquals("m", body.get("model"));
        assertEquals(true, body.get("errors"));
        assertEquals(Map.of("total", 1, "successful", 1, "failed", 0), body.get("_nodes"));
        Map<String, Object> a = (Map<String, Object>) ((Map<String, Object>) body.get("nodes")).get("a");
        assertEquals(Map.of("name", "node-a", "before", "loaded", "after", "loaded", "generation", 1,
            "sha256", Map.of("model.onnx", "ab".repeat(32)), "error", "sha256 of [model.onnx] is x"), a);
    }

    public void testStatusAndErrors() {
        ModelResponse ok = new ModelResponse(CLUSTER, ModelOperation.LOAD, "m", List.of(loaded("a", null), missing("b")), List.of());
        assertEquals(RestStatus.OK, ok.status());
        assertTrue("a node without the model is an error", ok.errors());
        assertFalse(new ModelResponse(CLUSTER, ModelOperation.LOAD, "m", List.of(loaded("a", null)), List.of()).errors());
        ModelResponse nowhere = new ModelResponse(CLUSTER, ModelOperation.LOAD, "m", List.of(missing("a"), missing("b")), List.of());
        assertEquals(RestStatus.NOT_FOUND, nowhere.status());
        ModelResponse failed = new ModelResponse(CLUSTER, ModelOperation.UNLOAD, "m", List.of(loaded("a", null)),
            List.of(new FailedNodeException("b", "gone", new IOException("down"))));
        assertTrue(failed.errors());
        assertEquals(RestStatus.OK, failed.status());
    }

    public void testRequestValidation() throws IOException {
        assertNull(new ModelRequest("ms-marco.v2_small").validate());
        for (String bad : new String[] { "../x", "a/b", "UPPER", "", ".x" }) {
            assertEquals(List.of("invalid model name [" + bad + "]: use lowercase letters, digits, '.', '_' and '-'"),
                new ModelRequest(bad).validate().validationErrors());
        }
        ModelRequest r = new ModelRequest("m", "n1", "n2");
        BytesStreamOutput out = new BytesStreamOutput();
        r.writeTo(out);
        try (StreamInput in = out.bytes().streamInput()) {
            ModelRequest copy = new ModelRequest(in);
            assertEquals("m", copy.model());
            assertArrayEquals(new String[] { "n1", "n2" }, copy.nodesIds());
        }
    }

    public void testActionNames() {
        assertEquals("cluster:admin/shard_rerank/models/load", ModelAction.LOAD.name());
        assertEquals("cluster:admin/shard_rerank/models/unload", ModelAction.UNLOAD.name());
        assertEquals("cluster:admin/shard_rerank/models/reload", ModelAction.RELOAD.name());
        for (ModelOperation op : ModelOperation.values()) {
            assertEquals(ModelAction.NAME_PREFIX + op, ModelAction.of(op).name());
        }
    }
}
