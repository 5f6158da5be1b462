package org.shardrerank.opensearch.rest;

import org.opensearch.core.common.Strings;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestStatusToXContentListener;
import org.opensearch.transport.client.node.NodeClient;
import org.shardrerank.opensearch.action.ModelAction;
import org.shardrerank.opensearch.action.ModelOperation;
import org.shardrerank.opensearch.action.ModelRequest;

import java.util.List;

/**
 * {@code POST _plugins/rerank/models/{name}/_load}, {@code _unload} and {@code _reload}, on every node or on those
 * named in {@code ?nodes=}. One handler per operation, each calling that operation's transport action.
 */
public final class RestModelOperationAction extends BaseRestHandler {
    private final ModelOperation operation;

    public RestModelOperationAction(ModelOperation operation) {
        this.operation = operation;
    }

    @Override
    public String getName() {
        return "shard_rerank_model_" + operation;
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.POST, "/_plugins/rerank/models/{name}/_" + operation));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        ModelRequest modelRequest = new ModelRequest(request.param("name"), Strings.splitStringByCommaToArray(request.param("nodes")));
        return channel -> client.execute(ModelAction.of(operation), modelRequest, new RestStatusToXContentListener<>(channel));
    }
}
