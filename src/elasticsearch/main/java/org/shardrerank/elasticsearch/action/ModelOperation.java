package org.shardrerank.elasticsearch.action;

import org.shardrerank.model.ModelChange;
import org.shardrerank.model.ModelRegistry;

import java.util.Locale;
import java.util.function.BiFunction;

/** What an operator can do to a model on every node; each is its own transport action, so roles can allow them apart. */
public enum ModelOperation {
    LOAD(ModelRegistry::load),
    UNLOAD(ModelRegistry::unload),
    RELOAD(ModelRegistry::reload);

    private final BiFunction<ModelRegistry, String, ModelChange> apply;

    ModelOperation(BiFunction<ModelRegistry, String, ModelChange> apply) {
        this.apply = apply;
    }

    ModelChange apply(ModelRegistry models, String model) {
        return apply.apply(models, model);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
