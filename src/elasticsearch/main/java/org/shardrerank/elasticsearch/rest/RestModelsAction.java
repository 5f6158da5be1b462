package org.shardrerank.elasticsearch.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.shardrerank.elasticsearch.action.ModelsAction;
import org.shardrerank.elasticsearch.action.ModelsRequest;

import java.util.List;

/**
 * {@code GET _shard_rerank/models} (every node, or those in {@code ?nodes=}) and
 * {@code GET _shard_rerank/{nodeId}/models}: each node's models and their state, and a summary per model.
 */
public final class RestModelsAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "shard_rerank_models";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/_shard_rerank/models"),
            new Route(RestRequest.Method.GET, "/_shard_rerank/{nodeId}/models"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String inPath = request.param("nodeId");
        String inQuery = request.param("nodes");
        if (inPath != null && inQuery != null) {
            throw new IllegalArgumentException("name the nodes in the path or in [nodes], not both");
        }
        ModelsRequest models = new ModelsRequest(Strings.splitStringByCommaToArray(inPath != null ? inPath : inQuery));
        return channel -> client.execute(ModelsAction.INSTANCE, models, new RestToXContentListener<>(channel));
    }
}
