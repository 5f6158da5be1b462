package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.transport.AbstractTransportRequest;

import java.io.IOException;

/** Which nodes to ask (all when none are named); the per-node request carries nothing else. */
public final class ModelsRequest extends BaseNodesRequest {

    public ModelsRequest(String... nodeIds) {
        super(nodeIds);
    }

    /** The request one node receives. */
    public static final class Node extends AbstractTransportRequest {
        public Node() {}

        public Node(StreamInput in) throws IOException {
            super(in);
        }
    }
}
