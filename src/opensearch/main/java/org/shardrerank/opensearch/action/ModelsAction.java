package org.shardrerank.opensearch.action;

import org.opensearch.action.ActionType;

/** Lists every node's models and their state (a monitor action, so read-only roles may call it). */
public final class ModelsAction extends ActionType<ModelsResponse> {
    public static final String NAME = "cluster:monitor/shard_rerank/models";
    public static final ModelsAction INSTANCE = new ModelsAction();

    private ModelsAction() {
        super(NAME, ModelsResponse::new);
    }
}
