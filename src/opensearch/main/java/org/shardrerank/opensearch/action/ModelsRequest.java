package org.shardrerank.opensearch.action;

import org.opensearch.action.support.nodes.BaseNodesRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.transport.TransportRequest;

import java.io.IOException;

/** Which nodes to ask (all when none are named); the per-node request carries nothing else. */
public final class ModelsRequest extends BaseNodesRequest<ModelsRequest> {

    public ModelsRequest(String... nodeIds) {
        super(nodeIds);
    }

    public ModelsRequest(StreamInput in) throws IOException {
        super(in);
    }

    /** The request one node receives. */
    public static final class Node extends TransportRequest {
        public Node() {}

        public Node(StreamInput in) throws IOException {
            super(in);
        }
    }
}
