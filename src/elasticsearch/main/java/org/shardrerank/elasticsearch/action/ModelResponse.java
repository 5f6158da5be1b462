package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesResponse;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.rest.action.RestActions;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;
import org.shardrerank.model.ModelChange;
import org.shardrerank.model.ModelState;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What one operation did on each node. {@code errors} is true when a node failed the operation or did not answer,
 * like a bulk response; the status is 404 only when no node has the model at all.
 */
public final class ModelResponse extends BaseNodesResponse<ModelResponse.Node> implements ToXContentObject {
    private final ModelOperation operation;
    private final String model;

    public ModelResponse(StreamInput in) throws IOException {
        super(in);
        operation = in.readEnum(ModelOperation.class);
        model = in.readString();
    }

    public ModelResponse(ClusterName cluster, ModelOperation operation, String model, List<Node> nodes, List<FailedNodeException> failures) {
        super(cluster, nodes, failures);
        this.operation = operation;
        this.model = model;
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        super.writeTo(out);
        out.writeEnum(operation);
        out.writeString(model);
    }

    @Override
    protected List<Node> readNodesFrom(StreamInput in) throws IOException {
        return in.readCollectionAsList(i -> new Node(i, null));
    }

    @Override
    protected void writeNodesTo(StreamOutput out, List<Node> nodes) throws IOException {
        out.writeCollection(nodes);
    }

    public boolean errors() {
        return hasFailures() || getNodes().stream().anyMatch(n -> n.change.error() != null);
    }

    public RestStatus status() {
        boolean nowhere = getNodes().isEmpty() == false && getNodes().stream().allMatch(n -> n.change.after() == ModelState.MISSING);
        return nowhere ? RestStatus.NOT_FOUND : RestStatus.OK;
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        RestActions.buildNodesHeader(builder, params, this);
        builder.field("cluster_name", getClusterName().value());
        builder.field("operation", operation.toString());
        builder.field("model", model);
        builder.field("errors", errors());
        builder.startObject("nodes");
        for (Node n : getNodes()) {
            builder.startObject(n.getNode().getId());
            builder.field("name", n.getNode().getName());
            for (Map.Entry<String, Object> field : n.change.toMap().entrySet()) {
                builder.field(field.getKey(), field.getValue());
            }
            builder.endObject();
        }
        builder.endObject();
        return builder.endObject();
    }

    /** One node's outcome. */
    public static final class Node extends BaseNodeResponse {
        final ModelChange change;

        Node(DiscoveryNode node, ModelChange change) {
            super(node);
            this.change = change;
        }

        /** @param node the node that answered, or null to read it from the stream */
        Node(StreamInput in, DiscoveryNode node) throws IOException {
            super(in, node);
            String model = in.readString();
            change = ModelChange.fromMap(model, OrderedMaps.read(in));
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(change.model());
            OrderedMaps.write(out, change.toMap());
        }
    }
}
