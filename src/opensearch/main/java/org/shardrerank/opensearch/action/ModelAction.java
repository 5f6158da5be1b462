package org.shardrerank.opensearch.action;

import org.opensearch.action.ActionType;

/**
 * Loads, unloads or reloads a model on every node. Admin actions ({@code cluster:admin/...}), so the security
 * plugin keeps them from roles that may only search; one name per operation.
 */
public final class ModelAction extends ActionType<ModelResponse> {
    public static final String NAME_PREFIX = "cluster:admin/shard_rerank/models/";
    public static final ModelAction LOAD = new ModelAction(ModelOperation.LOAD);
    public static final ModelAction UNLOAD = new ModelAction(ModelOperation.UNLOAD);
    public static final ModelAction RELOAD = new ModelAction(ModelOperation.RELOAD);

    private ModelAction(ModelOperation operation) {
        super(NAME_PREFIX + operation, ModelResponse::new);
    }

    public static ModelAction of(ModelOperation operation) {
        return switch (operation) {
            case LOAD -> LOAD;
            case UNLOAD -> UNLOAD;
            case RELOAD -> RELOAD;
        };
    }
}
