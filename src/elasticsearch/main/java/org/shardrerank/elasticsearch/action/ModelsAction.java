package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.ActionType;

/** Lists every node's models and their state (a monitor action, granted by {@code monitor}). */
public final class ModelsAction extends ActionType<ModelsResponse> {
    public static final String NAME = "cluster:monitor/shard_rerank/models";
    public static final ModelsAction INSTANCE = new ModelsAction();

    private ModelsAction() {
        super(NAME);
    }
}
