package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.rest.RestStatus;
import org.junit.Test;
import org.shardrerank.elasticsearch.EsTestCase;
import org.shardrerank.model.ModelChange;
import org.shardrerank.model.ModelState;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.shardrerank.elasticsearch.action.Nodes.CLUSTER;
import static org.shardrerank.elasticsearch.action.Nodes.node;

public class ModelResponseTests extends EsTestCase {

    private static ModelResponse.Node loaded(String id, String error) {
        return new ModelResponse.Node(node(id), new ModelChange("m", ModelState.LOADED, ModelState.LOADED, 1,
            Map.of("model.onnx", "ab".repeat(32)), error));
    }

    private static ModelResponse.Node missing(String id) {
        return new ModelResponse.Node(node(id), new ModelChange("m", ModelState.MISSING, ModelState.MISSING, 0, Map.of(), "unknown model [m]"));
    }

    @Test
    public void testWireRoundTrip() throws IOException {
        ModelResponse r = new ModelResponse(CLUSTER, ModelOperation.RELOAD, "m", List.of(loaded("a", "sha256 of [model.onnx] is x"),
            missing("b")), List.of(new FailedNodeException("c", "gone", new IOException("down"))));
        ModelResponse copy = Nodes.copy(r, ModelResponse::new);
        assertEquals(Nodes.json(r), Nodes.json(copy));
        assertEquals(2, copy.getNodes().size());
        assertEquals(1, copy.failures().size());
    }

    @Test
    public void testANodesAnswerThroughTheWire() throws IOException {
        ModelResponse.Node a = loaded("a", null);
        try (BytesStreamOutput out = new BytesStreamOutput()) {
            a.writeTo(out);
            ModelResponse.Node copy = new ModelResponse.Node(out.bytes().streamInput(), a.getNode());
            assertEquals(a.change, copy.change);
            assertSame(a.getNode(), copy.getNode());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    public void testBody() throws IOException {
        Map<String, Object> body = Nodes.map(new ModelResponse(CLUSTER, ModelOperation.RELOAD, "m",
            List.of(loaded("a", "sha256 of [model.onnx] is x")), List.of()));
        assertEquals("reload", body.get("operation"));
        assertEquals("m", body.get("model"));
        assertEquals(true, body.get("errors"));
        assertEquals("c", body.get("cluster_name"));
        assertEquals(Map.of("total", 1, "successful", 1, "failed", 0), body.get("_nodes"));
        Map<String, Object> a = (Map<String, Object>) ((Map<String, Object>) body.get("nodes")).get("a");
        assertEquals(Map.of("name", "node-a", "before", "loaded", "after", "loaded", "generation", 1,
            "sha256", Map.of("model.onnx", "ab".repeat(32)), "error", "sha256 of [model.onnx] is x"), a);
    }

    @Test
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

    @Test
    public void testRequestValidation() throws IOException {
        assertNull(new ModelRequest("ms-marco.v2_small").validate());
        for (String bad : new String[] { "../x", "a/b", "UPPER", "", ".x" }) {
            assertEquals(List.of("invalid model name [" + bad + "]: use lowercase letters, digits, '.', '_' and '-'"),
                new ModelRequest(bad).validate().validationErrors());
        }
        ModelRequest r = new ModelRequest("m", "n1", "n2");
        assertEquals("m", r.model());
        assertArrayEquals(new String[] { "n1", "n2" }, r.nodesIds());
        ModelRequest.Node copy = Nodes.copy(new ModelRequest.Node("m"), ModelRequest.Node::new);
        assertEquals("m", copy.model);
    }

    @Test
    public void testActionNames() {
        assertEquals("cluster:admin/shard_rerank/models/load", ModelAction.LOAD.name());
        assertEquals("cluster:admin/shard_rerank/models/unload", ModelAction.UNLOAD.name());
        assertEquals("cluster:admin/shard_rerank/models/reload", ModelAction.RELOAD.name());
        for (ModelOperation op : ModelOperation.values()) {
            assertEquals(ModelAction.NAME_PREFIX + op, ModelAction.of(op).name());
        }
        assertEquals("cluster:monitor/shard_rerank/models", ModelsAction.INSTANCE.name());
        assertEquals("cluster:monitor/shard_rerank/stats", NodeStatsAction.INSTANCE.name());
    }
}
