package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.shardrerank.model.ModelRegistry;

import java.io.IOException;
import java.util.List;

/**
 * Applies a {@link ModelOperation} to the local registry of every selected node. Runs on the generic pool: a load
 * reads and hashes the model files and opens an ONNX session, seconds for a large model. One subclass per
 * operation, because the node registers a transport action per class (public, for the injector).
 */
public abstract class TransportModelAction extends
    TransportNodesAction<ModelRequest, ModelResponse, ModelRequest.Node, ModelResponse.Node, Void> {

    private final ModelOperation operation;
    private final ModelRegistry models;

    TransportModelAction(ModelOperation operation, ClusterService clusterService, TransportService transportService,
                         ActionFilters actionFilters, ModelRegistry models) {
        super(ModelAction.of(operation).name(), clusterService, transportService, actionFilters, ModelRequest.Node::new,
            transportService.getThreadPool().executor(ThreadPool.Names.GENERIC));
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
    protected ModelResponse.Node newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
        return new ModelResponse.Node(in, node);
    }

    @Override
    protected ModelResponse.Node nodeOperation(ModelRequest.Node request, Task task) {
        return new ModelResponse.Node(clusterService.localNode(), operation.apply(models, request.model));
    }

    public static final class Load extends TransportModelAction {
        @Inject
        public Load(ClusterService clusterService, TransportService transportService, ActionFilters actionFilters, ModelRegistry models) {
            super(ModelOperation.LOAD, clusterService, transportService, actionFilters, models);
        }
    }

    public static final class Unload extends TransportModelAction {
        @Inject
        public Unload(ClusterService clusterService, TransportService transportService, ActionFilters actionFilters, ModelRegistry models) {
            super(ModelOperation.UNLOAD, clusterService, transportService, actionFilters, models);
        }
    }

    public static final class Reload extends TransportModelAction {
        @Inject
        public Reload(ClusterService clusterService, TransportService transportService, ActionFilters actionFilters, ModelRegistry models) {
            super(ModelOperation.RELOAD, clusterService, transportService, actionFilters, models);
        }
    }
}
