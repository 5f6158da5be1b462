package org.shardrerank.opensearch.action;

import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.support.nodes.BaseNodesRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.transport.TransportRequest;
import org.shardrerank.model.ModelDescriptor;

import java.io.IOException;

import static org.opensearch.action.ValidateActions.addValidationError;

/** The model to act on and the nodes to act on (all when none are named). */
public final class ModelRequest extends BaseNodesRequest<ModelRequest> {
    private final String model;

    public ModelRequest(String model, String... nodeIds) {
        super(nodeIds);
        this.model = model;
    }

    public ModelRequest(StreamInput in) throws IOException {
        super(in);
        model = in.readString();
    }

    public String model() {
        return model;
    }

    @Override
    public ActionRequestValidationException validate() {
        String error = ModelDescriptor.nameError(model);
        return error == null ? null : addValidationError(error, null);
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        super.writeTo(out);
        out.writeString(model);
    }

    /** The request one node receives. */
    public static final class Node extends TransportRequest {
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
