package org.shardrerank.elasticsearch.action;

import org.elasticsearch.action.ActionType;

/**
 * Loads, unloads or reloads a model on every node. Admin actions ({@code cluster:admin/...}, granted by {@code manage}),
 * so roles that may only search or monitor cannot; one name per operation.
 */
public final class ModelAction extends ActionType<ModelResponse> {
    public static final String NAME_PREFIX = "cluster:admin/shard_rerank/models/";
    public static final ModelAction LOAD = new ModelAction(ModelOperation.LOAD);
    public static final ModelAction UNLOAD = new ModelAction(ModelOperation.UNLOAD);
    public static final ModelAction RELOAD = new ModelAction(ModelOperation.RELOAD);

    private ModelAction(ModelOperation operation) {
        super(NAME_PREFIX + operation);
    }

    public static ModelAction of(ModelOperation operation) {
        return switch (operation) {
            case LOAD -> LOAD;
            case UNLOAD -> UNLOAD;
            case RELOAD -> RELOAD;
        };
    }
}
