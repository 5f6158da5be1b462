package org.shardrerank.rest;

import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.BytesRestResponse;
import org.opensearch.rest.RestRequest;
import org.opensearch.transport.client.node.NodeClient;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.stats.RerankStats;

import java.util.List;

/** {@code GET _plugins/rerank/stats}: counters of the node that answers. */
public final class RestStatsAction extends BaseRestHandler {
    private final RerankStats stats;
    private final InferenceEnvironment env;

    public RestStatsAction(RerankStats stats, InferenceEnvironment env) {
        this.stats = stats;
        this.env = env;
    }

    @Override
    public String getName() {
        return "shard_rerank_stats";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, "/_plugins/rerank/stats"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> {
            XContentBuilder b = channel.newBuilder();
            b.startObject();
            b.field("device", env.device());
            if (env.fallbackReason() != null) {
                b.field("device_fallback_reason", env.fallbackReason());
            }
            stats.toXContent(b, request);
            b.endObject();
            channel.sendResponse(new BytesRestResponse(RestStatus.OK, b));
        };
    }
}
