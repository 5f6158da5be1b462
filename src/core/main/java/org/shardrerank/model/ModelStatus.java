package org.shardrerank.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a node says about one model folder. The descriptor is the serving version's when loaded, else the one on
 * disk. {@code generation} counts the versions this node loaded; {@code error} is why the last load failed (with
 * state {@code loaded}: a reload failed and the previous version still serves).
 */
public record ModelStatus(String name, ModelState state, ModelDescriptor descriptor, String device, long generation, String error) {

    static ModelStatus notLoaded(String name, ModelDescriptor d) {
        return new ModelStatus(name, d == null ? ModelState.INVALID : ModelState.NOT_LOADED, d, null, 0,
            d == null ? "model.json cannot be read" : null);
    }

    /** The fields a node reports, in order. */
    public Map<String, Object> toMap() {
        Map<String, Object> builder = new LinkedHashMap<>();
        builder.put("name", name);
        builder.put("state", state.toString());
        if (descriptor != null) {
            builder.put("type", descriptor.type().toString());
            builder.put("max_length", descriptor.maxLength());
            if (descriptor.embedding() != null) {
                ModelDescriptor.Embedding e = descriptor.embedding();
                builder.put("dimension", e.dimension());
                builder.put("pooling", e.pooling().toString());
                builder.put("normalize", e.normalize());
                builder.put("query_prefix", e.queryPrefix());
                builder.put("document_prefix", e.documentPrefix());
            } else {
                builder.put("output", descriptor.output().toString());
                builder.put("activation", descriptor.activation().toString());
            }
            builder.put("sha256", descriptor.sha256());
            builder.put("source", descriptor.source());
            builder.put("license", descriptor.license());
        }
        if (device != null) {
            builder.put("device", device);
        }
        if (generation > 0) {
            builder.put("generation", generation);
        }
        if (error != null) {
            builder.put("error", error);
        }
        return builder;
    }
}
