package org.shardrerank.opensearch.action;

import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.nodes.TransportNodesAction;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.env.Environment;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.model.ModelStatus;
import org.shardrerank.model.PathRedaction;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Answers {@link ModelsAction} on each node from its own model registry. */
public final class TransportModelsAction extends TransportNodesAction<ModelsRequest, ModelsResponse, ModelsRequest.Node, ModelsResponse.Node> {
    private final ModelRegistry models;
    private final String modelsPath;

    @Inject
    public TransportModelsAction(ThreadPool threadPool, ClusterService clusterService, TransportService transportService,
                                 ActionFilters actionFilters, ModelRegistry models, Environment environment) {
        super(ModelsAction.NAME, threadPool, clusterService, transportService, actionFilters, ModelsRequest::new, ModelsRequest.Node::new,
            ThreadPool.Names.MANAGEMENT, ModelsResponse.Node.class);
        this.models = models;
        this.modelsPath = relativeTo(environment.configDir(), models.root());
    }

    /** {@code folder} relative to {@code config}, or null when it lies outside: an absolute path is not for responses. */
    static String relativeTo(Path config, Path folder) {
        Path c = config.toAbsolutePath().normalize();
        Path f = folder.toAbsolutePath().normalize();
        return f.startsWith(c) ? c.relativize(f).toString() : null;
    }

    @Override
    protected ModelsResponse newResponse(ModelsRequest request, List<ModelsResponse.Node> nodes, List<FailedNodeException> failures) {
        return new ModelsResponse(clusterService.getClusterName(), nodes, failures);
    }

    @Override
    protected ModelsRequest.Node newNodeRequest(ModelsRequest request) {
        return new ModelsRequest.Node();
    }

    @Override
    protected ModelsResponse.Node newNodeResponse(StreamInput in) throws IOException {
        return new ModelsResponse.Node(in);
    }

    @Override
    protected ModelsResponse.Node nodeOperation(ModelsRequest.Node request) {
        List<Map<String, Object>> listed = new ArrayList<>();
        for (ModelStatus s : models.status()) {
            listed.add(s.toMap());
        }
        return new ModelsResponse.Node(clusterService.localNode(), models.environment().device(),
            PathRedaction.redact(models.environment().fallbackReason(), models.root()), modelsPath, listed);
    }
}
