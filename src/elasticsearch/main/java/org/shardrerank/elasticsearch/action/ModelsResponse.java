package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesResponse;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.rest.action.RestActions;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.shardrerank.model.ModelState;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every node's models. Rendered as a summary per model across the nodes that answered ({@code models}: name, type,
 * how many nodes hold it in each state) and each node's own list ({@code nodes}); a model that some node lacks is
 * listed there as {@code missing}, so a node without the folder shows up at a glance.
 */
public final class ModelsResponse extends BaseNodesResponse<ModelsResponse.Node> implements ToXContentObject {
    private static final String NAME = "name";
    private static final String STATE = "state";
    private static final String TYPE = "type";

    public ModelsResponse(StreamInput in) throws IOException {
        super(in);
    }

    public ModelsResponse(ClusterName cluster, List<Node> nodes, List<FailedNodeException> failures) {
        super(cluster, nodes, failures);
    }

    @Override
    protected List<Node> readNodesFrom(StreamInput in) throws IOException {
        return in.readCollectionAsList(i -> new Node(i, null));
    }

    @Override
    protected void writeNodesTo(StreamOutput out, List<Node> nodes) throws IOException {
        out.writeCollection(nodes);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        getNodes().forEach(n -> n.models.forEach(m -> names.add((String) m.get(NAME))));
        builder.startObject();
        RestActions.buildNodesHeader(builder, params, this);
        builder.field("cluster_name", getClusterName().value());
        builder.startArray("models");
        for (String name : names) {
            summary(builder, name);
        }
        builder.endArray();
        builder.startObject("nodes");
        for (Node n : getNodes()) {
            builder.startObject(n.getNode().getId());
            builder.field(NAME, n.getNode().getName());
            builder.field("device", n.device);
            if (n.deviceFallbackReason != null) {
                builder.field("device_fallback_reason", n.deviceFallbackReason);
            }
            if (n.modelsPath != null) {
                builder.field("models_path", n.modelsPath);
            }
            builder.startArray("models");
            for (String name : names) {
                Map<String, Object> m = n.model(name);
                builder.map(m == null ? missing(name) : m);
            }
            builder.endArray();
            builder.endObject();
        }
        builder.endObject();
        return builder.endObject();
    }

    /** One model across the nodes: its type and the number of nodes per state. */
    private void summary(XContentBuilder builder, String name) throws IOException {
        Map<String, Integer> states = new TreeMap<>();
        Object type = null;
        for (Node n : getNodes()) {
            Map<String, Object> m = n.model(name);
            states.merge(m == null ? ModelState.MISSING.toString() : (String) m.get(STATE), 1, Integer::sum);
            if (type == null && m != null) {
                type = m.get(TYPE);
            }
        }
        builder.startObject().field(NAME, name);
        if (type != null) {
            builder.field(TYPE, type);
        }
        builder.field("states", states);
        builder.endObject();
    }

    /**
     * One node's answer.
     *
     * @see org.shardrerank.model.ModelStatus for the fields of each model
     */
    public static final class Node extends BaseNodeResponse {
        final String device;
        final String deviceFallbackReason;
        final String modelsPath;
        final List<Map<String, Object>> models;

        /**
         * @param modelsPath the models folder relative to the node's config folder, or null when it lies elsewhere
         * @param models     each model's fields as the listing shows them, with at least {@code name} and {@code state}
         */
        public Node(DiscoveryNode node, String device, String deviceFallbackReason, String modelsPath, List<Map<String, Object>> models) {
            super(node);
            this.device = device;
            this.deviceFallbackReason = deviceFallbackReason;
            this.modelsPath = modelsPath;
            this.models = models;
        }

        /** @param node the node that answered, or null to read it from the stream */
        Node(StreamInput in, DiscoveryNode node) throws IOException {
            super(in, node);
            device = in.readString();
            deviceFallbackReason = in.readOptionalString();
            modelsPath = in.readOptionalString();
            models = in.readCollectionAsList(OrderedMaps::read);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(device);
            out.writeOptionalString(deviceFallbackReason);
            out.writeOptionalString(modelsPath);
            out.writeCollection(models, OrderedMaps::write);
        }

        Map<String, Object> model(String name) {
            for (Map<String, Object> m : models) {
                if (name.equals(m.get(NAME))) {
                    return m;
                }
            }
            return null;
        }
    }

    /** A model another node has, listed on this one as missing: name first, as every listed model. */
    private static Map<String, Object> missing(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(NAME, name);
        m.put(STATE, ModelState.MISSING.toString());
        return m;
    }
}
