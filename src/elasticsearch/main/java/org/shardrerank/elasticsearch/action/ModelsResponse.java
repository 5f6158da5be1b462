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
import org.shardrerank.model.ModelsListing;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Every node's models. Rendered as a summary per model across the nodes that answered ({@code models}: name, type,
 * how many nodes hold it in each state) and each node's own list ({@code nodes}); a model that some node lacks is
 * listed there as {@code missing}, so a node without the folder shows up at a glance.
 */
public final class ModelsResponse extends BaseNodesResponse<ModelsResponse.Node> implements ToXContentObject {
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
        List<Node> nodes = getNodes();
        ModelsListing listing = new ModelsListing(nodes.stream().map(Node::listed).toList());
        builder.startObject();
        RestActions.buildNodesHeader(builder, params, this);
        builder.field("cluster_name", getClusterName().value());
        builder.field("models", listing.summaries());
        builder.startObject("nodes");
        for (int i = 0; i < nodes.size(); i++) {
            builder.field(nodes.get(i).getNode().getId(), listing.node(i));
        }
        builder.endObject();
        return builder.endObject();
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

        ModelsListing.NodeModels listed() {
            return new ModelsListing.NodeModels(getNode().getName(), device, deviceFallbackReason, modelsPath, models);
        }
    }

}
