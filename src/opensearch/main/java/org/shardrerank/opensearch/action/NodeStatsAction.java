package org.shardrerank.opensearch.action;

import org.opensearch.action.ActionType;

/** Collects the plugin's stats from every node (a monitor action, so read-only roles may call it). */
public final class NodeStatsAction extends ActionType<NodeStatsResponse> {
    public static final String NAME = "cluster:monitor/shard_rerank/stats";
    public static final NodeStatsAction INSTANCE = new NodeStatsAction();

    private NodeStatsAction() {
        super(NAME, NodeStatsResponse::new);
    }
}
