package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.ActionType;

/** Collects the plugin's stats from every node (a monitor action, granted by {@code monitor}). */
public final class NodeStatsAction extends ActionType<NodeStatsResponse> {
    public static final String NAME = "cluster:monitor/shard_rerank/stats";
    public static final NodeStatsAction INSTANCE = new NodeStatsAction();

    private NodeStatsAction() {
        super(NAME);
    }
}
