package org.shardrerank.opensearch.action;

import org.opensearch.action.support.nodes.BaseNodesRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.transport.TransportRequest;

import java.io.IOException;

/** Which nodes to ask; the per-node request carries nothing else. */
public final class NodeStatsRequest extends BaseNodesRequest<NodeStatsRequest> {

    public NodeStatsRequest(String... nodeIds) {
        super(nodeIds);
    }

    public NodeStatsRequest(StreamInput in) throws IOException {
        super(in);
    }

    /** The request one node receives. */
    public static final class Node extends TransportRequest {
        public Node() {}

        public Node(StreamInput in) throws IOException {
            super(in);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
        }
    }
}
