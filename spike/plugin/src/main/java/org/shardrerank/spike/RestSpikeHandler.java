package org.shardrerank.spike;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestActions;

import java.util.List;

import static org.elasticsearch.rest.RestRequest.Method.GET;
import static org.elasticsearch.rest.RestRequest.Method.POST;

final class RestSpikeHandler extends BaseRestHandler {
    @Override
    public String getName() {
        return "shard_rerank_spike";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/_shard_rerank/stats"), new Route(POST, "/_shard_rerank/models/{id}/_load"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        if (request.method() == GET) {
            return channel -> client.execute(SpikeActions.STATS, new SpikeActions.NodesRequest("stats"),
                new RestActions.NodesResponseRestListener<>(channel));
        }
        String op = "load " + request.param("id");
        String reserve = request.param("reserve_bytes");
        if (reserve != null) {
            op = "reserve:" + reserve;
        }
        String finalOp = op;
        return channel -> client.execute(SpikeActions.LOAD, new SpikeActions.NodesRequest(finalOp),
            new RestActions.NodesResponseRestListener<>(channel));
    }
}
