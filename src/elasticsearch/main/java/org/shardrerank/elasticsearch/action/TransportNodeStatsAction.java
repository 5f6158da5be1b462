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
import org.shardrerank.model.PathRedaction;
import org.shardrerank.stats.RerankStats;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Answers {@link NodeStatsAction} on each node from its own counters and model registry. */
public final class TransportNodeStatsAction extends
    TransportNodesAction<NodeStatsRequest, NodeStatsResponse, NodeStatsRequest.Node, NodeStatsResponse.Node, Void> {

    private final RerankStats stats;
    private final ModelRegistry models;

    @Inject
    public TransportNodeStatsAction(ClusterService clusterService, TransportService transportService, ActionFilters actionFilters,
                                    RerankStats stats, ModelRegistry models) {
        super(NodeStatsAction.NAME, clusterService, transportService, actionFilters, NodeStatsRequest.Node::new,
            transportService.getThreadPool().executor(ThreadPool.Names.MANAGEMENT));
        this.stats = stats;
        this.models = models;
    }

    @Override
    protected NodeStatsResponse newResponse(NodeStatsRequest request, List<NodeStatsResponse.Node> nodes, List<FailedNodeException> failures) {
        return new NodeStatsResponse(clusterService.getClusterName(), nodes, failures);
    }

    @Override
    protected NodeStatsRequest.Node newNodeRequest(NodeStatsRequest request) {
        return new NodeStatsRequest.Node();
    }

    @Override
    protected NodeStatsResponse.Node newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
        return new NodeStatsResponse.Node(in, node);
    }

    @Override
    protected NodeStatsResponse.Node nodeOperation(NodeStatsRequest.Node request, Task task) {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("device", models.environment().device());
        if (models.environment().fallbackReason() != null) {
            snapshot.put("device_fallback_reason", PathRedaction.redact(models.environment().fallbackReason(), models.root()));
        }
        Map<String, Object> counters = stats.snapshot();
        @SuppressWarnings("unchecked")
        Map<String, Object> perModel = (Map<String, Object>) counters.remove("models");
        snapshot.putAll(counters);
        Map<String, Object> modelStates = new LinkedHashMap<>();
        models.status().forEach(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("state", s.state().toString());
            Object c = perModel.get(s.name());
            if (c != null) {
                m.putAll(castMap(c));
            }
            modelStates.put(s.name(), m);
        });
        snapshot.put("models", modelStates);
        return new NodeStatsResponse.Node(clusterService.localNode(), snapshot);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
