package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesResponse;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.xcontent.ToXContentObject;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Every node's stats snapshot, keyed by node id. */
public final class NodeStatsResponse extends BaseNodesResponse<NodeStatsResponse.Node> implements ToXContentObject {

    public NodeStatsResponse(StreamInput in) throws IOException {
        super(in);
    }

    public NodeStatsResponse(ClusterName cluster, List<Node> nodes, List<FailedNodeException> failures) {
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
        builder.startObject();
        builder.field("cluster_name", getClusterName().value());
        builder.startObject("nodes");
        for (Node n : getNodes()) {
            builder.startObject(n.getNode().getId());
            builder.field("name", n.getNode().getName());
            for (Map.Entry<String, Object> e : n.stats.entrySet()) {
                builder.field(e.getKey(), e.getValue());
            }
            builder.endObject();
        }
        builder.endObject();
        if (hasFailures()) {
            builder.startArray("failures");
            for (FailedNodeException f : failures()) {
                builder.startObject().field("node", f.nodeId()).field("reason", f.getDetailedMessage()).endObject();
            }
            builder.endArray();
        }
        return builder.endObject();
    }

    /** One node's snapshot, as plain values. */
    public static final class Node extends BaseNodeResponse {
        final Map<String, Object> stats;

        public Node(DiscoveryNode node, Map<String, Object> stats) {
            super(node);
            this.stats = stats;
        }

        /** @param node the node that answered, or null to read it from the stream */
        Node(StreamInput in, DiscoveryNode node) throws IOException {
            super(in, node);
            stats = OrderedMaps.read(in);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            OrderedMaps.write(out, stats);
        }
    }
}
