package org.shardrerank.model;

import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;

/**
 * What a node says about one model folder. The descriptor is the serving version's when loaded, else the one on
 * disk. {@code generation} counts the versions this node loaded; {@code error} is why the last load failed (with
 * state {@code loaded}: a reload failed and the previous version still serves).
 */
public record ModelStatus(String name, ModelState state, ModelDescriptor descriptor, String device, long generation, String error)
    implements ToXContentObject {

    static ModelStatus notLoaded(String name, ModelDescriptor d) {
        return new ModelStatus(name, d == null ? ModelState.INVALID : ModelState.NOT_LOADED, d, null, 0,
            d == null ? "model.json cannot be read" : null);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("name", name);
        builder.field("state", state.toString());
        if (descriptor != null) {
            builder.field("type", descriptor.type().toString());
            builder.field("max_length", descriptor.maxLength());
            if (descriptor.embedding() != null) {
                ModelDescriptor.Embedding e = descriptor.embedding();
                builder.field("dimension", e.dimension());
                builder.field("pooling", e.pooling().toString());
                builder.field("normalize", e.normalize());
                builder.field("query_prefix", e.queryPrefix());
                builder.field("document_prefix", e.documentPrefix());
            } else {
                builder.field("output", descriptor.output().toString());
                builder.field("activation", descriptor.activation().toString());
            }
            builder.field("sha256", descriptor.sha256());
            builder.field("source", descriptor.source());
            builder.field("license", descriptor.license());
        }
        if (device != null) {
            builder.field("device", device);
        }
        if (generation > 0) {
            builder.field("generation", generation);
        }
        if (error != null) {
            builder.field("error", error);
        }
        return builder.endObject();
    }
}
