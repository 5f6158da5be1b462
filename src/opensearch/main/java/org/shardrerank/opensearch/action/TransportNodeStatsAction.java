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
import org.shardrerank.model.PathRedaction;
import org.shardrerank.stats.RerankStats;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Answers {@link NodeStatsAction} on each node from its own counters and model registry. */
public final class TransportNodeStatsAction extends
    TransportNodesAction<NodeStatsRequest, NodeStatsResponse, NodeStatsRequest.Node, NodeStatsResponse.Node> {

    private final RerankStats stats;
    private final ModelRegistry models;

    @Inject
    public TransportNodeStatsAction(ThreadPool threadPool, ClusterService clusterService, TransportService transportService,
                                    ActionFilters actionFilters, RerankStats stats, ModelRegistry models) {
        super(NodeStatsAction.NAME, threadPool, clusterService, transportService, actionFilters, NodeStatsRequest::new,
            NodeStatsRequest.Node::new, ThreadPool.Names.MANAGEMENT, NodeStatsResponse.Node.class);
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
    protected NodeStatsResponse.Node newNodeResponse(StreamInput in) throws IOException {
        return new NodeStatsResponse.Node(in);
    }

    @Override
    protected NodeStatsResponse.Node nodeOperation(NodeStatsRequest.Node request) {
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
