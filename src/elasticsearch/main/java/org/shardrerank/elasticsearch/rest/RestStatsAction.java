package org.shardrerank.elasticsearch.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.shardrerank.elasticsearch.action.NodeStatsAction;
import org.shardrerank.elasticsearch.action.NodeStatsRequest;

import java.util.List;

/** {@code GET _shard_rerank/stats} and {@code GET _shard_rerank/{nodeId}/stats}: counters per node and per model. */
public final class RestStatsAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "shard_rerank_stats";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/_shard_rerank/stats"),
            new Route(RestRequest.Method.GET, "/_shard_rerank/{nodeId}/stats"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        NodeStatsRequest nodesRequest = new NodeStatsRequest(Strings.splitStringByCommaToArray(request.param("nodeId")));
        return channel -> client.execute(NodeStatsAction.INSTANCE, nodesRequest, new RestToXContentListener<>(channel));
    }
}
