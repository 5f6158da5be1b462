package org.shardrerank.opensearch.rest;

import org.opensearch.core.common.Strings;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;
import org.shardrerank.opensearch.action.ModelsAction;
import org.shardrerank.opensearch.action.ModelsRequest;

import java.util.List;

/**
 * {@code GET _plugins/rerank/models} (every node, or those in {@code ?nodes=}) and
 * {@code GET _plugins/rerank/{nodeId}/models}: each node's models and their state, and a summary per model.
 */
public final class RestModelsAction extends BaseRestHandler {

    @Override
    public String getName() {
        return "shard_rerank_models";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/_plugins/rerank/models"),
            new Route(RestRequest.Method.GET, "/_plugins/rerank/{nodeId}/models"));
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
