package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.ActionRequestValidationException;
import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.transport.AbstractTransportRequest;
import org.shardrerank.model.ModelDescriptor;

import java.io.IOException;

import static org.elasticsearch.action.ValidateActions.addValidationError;

/** The model to act on and the nodes to act on (all when none are named). Stays on the node that received it. */
public final class ModelRequest extends BaseNodesRequest {
    private final String model;

    public ModelRequest(String model, String... nodeIds) {
        super(nodeIds);
        this.model = model;
    }

    public String model() {
        return model;
    }

    @Override
    public ActionRequestValidationException validate() {
        String error = ModelDescriptor.nameError(model);
        return error == null ? null : addValidationError(error, null);
    }

    /** The request one node receives. */
    public static final class Node extends AbstractTransportRequest {
        final String model;

        Node(String model) {
            this.model = model;
        }

        public Node(StreamInput in) throws IOException {
            super(in);
            model = in.readString();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(model);
        }
    }
}
