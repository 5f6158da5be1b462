package org.shardrerank.spike;

import org.elasticsearch.action.ActionType;
import org.elasticsearch.action.FailedNodeException;
import org.elasticsearch.action.support.ActionFilters;
import org.elasticsearch.action.support.nodes.BaseNodeResponse;
import org.elasticsearch.action.support.nodes.BaseNodesRequest;
import org.elasticsearch.action.support.nodes.BaseNodesResponse;
import org.elasticsearch.action.support.nodes.TransportNodesAction;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.tasks.Task;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.transport.AbstractTransportRequest;
import org.elasticsearch.transport.TransportService;
import org.elasticsearch.xcontent.ToXContentFragment;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Two nodes actions (admin: model load, monitor: stats) sharing request/response types. */
public final class SpikeActions {
    static final ActionType<NodesResponse> LOAD = new ActionType<>("cluster:admin/shard_rerank/model/load");
    static final ActionType<NodesResponse> STATS = new ActionType<>("cluster:monitor/shard_rerank/stats");

    private SpikeActions() {}

    static final class NodesRequest extends BaseNodesRequest {
        final String op;

        NodesRequest(String op, String... nodeIds) {
            super(nodeIds);
            this.op = op;
        }
    }

    static final class NodeRequest extends AbstractTransportRequest {
        final String op;

        NodeRequest(String op) {
            this.op = op;
        }

        NodeRequest(StreamInput in) throws IOException {
            super(in);
            op = in.readString();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(op);
        }
    }

    static final class NodeResponse extends BaseNodeResponse {
        final Map<String, String> info;

        NodeResponse(DiscoveryNode node, Map<String, String> info) {
            super(node);
            this.info = info;
        }

        NodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
            super(in, node);
            info = in.readMap(StreamInput::readString);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeMap(info, StreamOutput::writeString);
        }
    }

    static final class NodesResponse extends BaseNodesResponse<NodeResponse> implements ToXContentFragment {
        NodesResponse(ClusterName cluster, List<NodeResponse> nodes, List<FailedNodeException> failures) {
            super(cluster, nodes, failures);
        }

        @Override
        protected List<NodeResponse> readNodesFrom(StreamInput in) throws IOException {
            return in.readCollectionAsList(i -> new NodeResponse(i, null));
        }

        @Override
        protected void writeNodesTo(StreamOutput out, List<NodeResponse> nodes) throws IOException {
            out.writeCollection(nodes);
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject("nodes");
            for (NodeResponse n : getNodes()) {
                builder.field(n.getNode().getName(), n.info);
            }
            return builder.endObject();
        }
    }

    public abstract static class Base extends TransportNodesAction<NodesRequest, NodesResponse, NodeRequest, NodeResponse, Void> {
        Base(String name, ClusterService cs, TransportService ts, ActionFilters filters) {
            super(name, cs, ts, filters, NodeRequest::new, ts.getThreadPool().executor(ThreadPool.Names.MANAGEMENT));
        }

        @Override
        protected NodesResponse newResponse(NodesRequest request, List<NodeResponse> nodes, List<FailedNodeException> failures) {
            return new NodesResponse(clusterService.getClusterName(), nodes, failures);
        }

        @Override
        protected NodeRequest newNodeRequest(NodesRequest request) {
            return new NodeRequest(request.op);
        }

        @Override
        protected NodeResponse newNodeResponse(StreamInput in, DiscoveryNode node) throws IOException {
            return new NodeResponse(in, node);
        }

        @Override
        protected NodeResponse nodeOperation(NodeRequest request, Task task) {
            Map<String, String> info = new TreeMap<>();
            info.put("op", request.op);
            info.put("thread", Thread.currentThread().getName());
            Probe.STEPS.forEach((k, v) -> info.put("step." + k, v));
            Probe.MISC.forEach((k, v) -> info.put("misc." + k, v));
            info.put("sub_search_threads", new java.util.TreeSet<>(Probe.SUB_SEARCH_THREADS).toString());
            info.put("collect_threads", new java.util.TreeSet<>(Probe.COLLECT_THREADS).toString());
            info.put("ingest_threads", new java.util.TreeSet<>(Probe.INGEST_THREADS).toString());
            var breaker = SpikePlugin.BREAKER.get();
            if (breaker != null) {
                if (request.op.startsWith("reserve:")) {
                    long bytes = Long.parseLong(request.op.substring(8));
                    try {
                        breaker.addEstimateBytesAndMaybeBreak(bytes, "spike");
                        breaker.addWithoutBreaking(-bytes);
                        info.put("breaker_reserve", "ok " + bytes);
                    } catch (RuntimeException e) {
                        info.put("breaker_reserve", e.toString());
                    }
                }
                info.put("breaker", breaker.getName() + " used=" + breaker.getUsed() + " limit=" + breaker.getLimit()
                    + " tripped=" + breaker.getTrippedCount());
            }
            return new NodeResponse(clusterService.localNode(), info);
        }
    }

    public static final class TransportLoad extends Base {
        @Inject
        public TransportLoad(ClusterService cs, TransportService ts, ActionFilters filters) {
            super(LOAD.name(), cs, ts, filters);
        }
    }

    public static final class TransportStats extends Base {
        @Inject
        public TransportStats(ClusterService cs, TransportService ts, ActionFilters filters) {
            super(STATS.name(), cs, ts, filters);
        }
    }
}
