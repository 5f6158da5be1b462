package org.shardrerank.opensearch.action;

import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.nodes.TransportNodesAction;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;
import org.shardrerank.model.ModelRegistry;

import java.io.IOException;
import java.util.List;

/**
 * Applies a {@link ModelOperation} to the local registry of every selected node. Runs on the generic pool: a load
 * reads and hashes the model files and opens an ONNX session, seconds for a large model. One subclass per
 * operation, because the node registers a transport action per class.
 */
public abstract class TransportModelAction extends TransportNodesAction<ModelRequest, ModelResponse, ModelRequest.Node, ModelResponse.Node> {
    private final ModelOperation operation;
    private final ModelRegistry models;

    TransportModelAction(ModelOperation operation, ThreadPool threadPool, ClusterService clusterService,
                         TransportService transportService, ActionFilters actionFilters, ModelRegistry models) {
        super(ModelAction.of(operation).name(), threadPool, clusterService, transportService, actionFilters, ModelRequest::new,
            ModelRequest.Node::new, ThreadPool.Names.GENERIC, ModelResponse.Node.class);
        this.operation = operation;
        this.models = models;
    }

    @Override
    protected ModelResponse newResponse(ModelRequest request, List<ModelResponse.Node> nodes, List<FailedNodeException> failures) {
        return new ModelResponse(clusterService.getClusterName(), operation, request.model(), nodes, failures);
    }

    @Override
    protected ModelRequest.Node newNodeRequest(ModelRequest request) {
        return new ModelRequest.Node(request.model());
    }

    @Override
    protected ModelResponse.Node newNodeResponse(StreamInput in) throws IOException {
        return new ModelResponse.Node(in);
    }

    @Override
    protected ModelResponse.Node nodeOperation(ModelRequest.Node request) {
        return new ModelResponse.Node(clusterService.localNode(), operation.apply(models, request.model));
    }

    public static final class Load extends TransportModelAction {
        @Inject
        public Load(ThreadPool threadPool, ClusterService clusterService, TransportService transportService, ActionFilters actionFilters,
                    ModelRegistry models) {
            super(ModelOperation.LOAD, threadPool, clusterService, transportService, actionFilters, models);
        }
    }

    public static final class Unload extends TransportModelAction {
        @Inject
        public Unload(ThreadPool threadPool, ClusterService clusterService, TransportService transportService, ActionFilters actionFilters,
                      ModelRegistry models) {
            super(ModelOperation.UNLOAD, threadPool, clusterService, transportService, actionFilters, models);
        }
    }

    public static final class Reload extends TransportModelAction {
        @Inject
        public Reload(ThreadPool threadPool, ClusterService clusterService, TransportService transportService, ActionFilters actionFilters,
                      ModelRegistry models) {
            super(ModelOperation.RELOAD, threadPool, clusterService, transportService, actionFilters, models);
        }
    }
}
