package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.env.Environment;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.TransportService;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.model.ModelStatus;
import org.shardrerank.model.PathRedaction;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Answers {@link ModelsAction} on each node from its own model registry. */
public final class TransportModelsAction extends
    TransportNodesAction<ModelsRequest, ModelsResponse, ModelsRequest.Node, ModelsResponse.Node, Void> {

    private final ModelRegistry models;
    private final String modelsPath;

    @Inject
    public TransportModelsAction(ClusterService clusterService, TransportService transportService, ActionFilters actionFilters,
                                 ModelRegistry models, Environment environment) {
        super(ModelsAction.NAME, clusterService, transportService, actionFilters, ModelsRequest.Node::new,
            transportService.getThreadPool().executor(ThreadPool.Names.MANAGEMENT));
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
    protected ModelsResponse.Node newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
        return new ModelsResponse.Node(in, node);
    }

    @Override
    protected ModelsResponse.Node nodeOperation(ModelsRequest.Node request, Task task) {
        List<Map<String, Object>> listed = new ArrayList<>();
        for (ModelStatus s : models.status()) {
            listed.add(s.toMap());
        }
        return new ModelsResponse.Node(clusterService.localNode(), models.environment().device(),
            PathRedaction.redact(models.environment().fallbackReason(), models.root()), modelsPath, listed);
    }
}
