package org.shardrerank.rest;

import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.BytesRestResponse;
import org.opensearch.rest.RestRequest;
import org.opensearch.transport.client.node.NodeClient;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.model.ModelStatus;

import java.util.List;

/** {@code GET _plugins/rerank/models}: the models of the node that answers, with their state. */
public final class RestModelsAction extends BaseRestHandler {
    private final ModelRegistry models;

    public RestModelsAction(ModelRegistry models) {
        this.models = models;
    }

    @Override
    public String getName() {
        return "shard_rerank_models";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/_plugins/rerank/models"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> {
            XContentBuilder b = channel.newBuilder();
            b.startObject();
            b.field("models_path", models.root().toString());
            b.field("device", models.environment().device());
            b.startArray("models");
            for (ModelStatus s : models.status()) {
                s.toXContent(b, request);
            }
            b.endArray();
            b.endObject();
            channel.sendResponse(new BytesRestResponse(RestStatus.OK, b));
        };
    }
}
