package org.shardrerank.opensearch.rest;

import org.opensearch.core.common.Strings;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;
import org.shardrerank.opensearch.action.NodeStatsAction;
import org.shardrerank.opensearch.action.NodeStatsRequest;

import java.util.List;

/** {@code GET _plugins/rerank/stats} and {@code GET _plugins/rerank/{nodeId}/stats}: counters per node and per model. */
public final class RestStatsAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "shard_rerank_stats";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/_plugins/rerank/stats"),
            new Route(RestRequest.Method.GET, "/_plugins/rerank/{nodeId}/stats"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String[] nodes = Strings.splitStringByCommaToArray(request.param("nodeId"));
        NodeStatsRequest nodesRequest = new NodeStatsRequest(nodes);
        return channel -> client.execute(NodeStatsAction.INSTANCE, nodesRequest, new RestToXContentListener<>(channel));
    }
}
