package org.shardrerank.elasticsearch.rest;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.action.RestToXContentListener;
import org.shardrerank.elasticsearch.action.ModelAction;
import org.shardrerank.elasticsearch.action.ModelOperation;
import org.shardrerank.elasticsearch.action.ModelRequest;
import org.shardrerank.elasticsearch.action.ModelResponse;

import java.util.List;

/**
 * {@code POST _shard_rerank/models/{name}/_load}, {@code _unload} and {@code _reload}, on every node or on those
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
        return List.of(new Route(RestRequest.Method.POST, "/_shard_rerank/models/{name}/_" + operation));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        ModelRequest modelRequest = new ModelRequest(request.param("name"), Strings.splitStringByCommaToArray(request.param("nodes")));
        return channel -> client.execute(ModelAction.of(operation), modelRequest,
            new RestToXContentListener<>(channel, ModelResponse::status));
    }
}
