package org.shardrerank.model;

import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;

/** What a node says about one model folder. */
public record ModelStatus(String name, String state, ModelDescriptor descriptor, String device, String error) implements ToXContentObject {

    static ModelStatus loaded(String name, ModelDescriptor d, String device) {
        return new ModelStatus(name, "loaded", d, device, null);
    }

    static ModelStatus failed(String name, ModelDescriptor d, String error) {
        return new ModelStatus(name, "failed", d, null, error);
    }

    static ModelStatus notLoaded(String name, ModelDescriptor d) {
        return new ModelStatus(name, d == null ? "invalid" : "not_loaded", d, null, d == null ? "model.json cannot be read" : null);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("name", name);
        builder.field("state", state);
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
        if (error != null) {
            builder.field("error", error);
        }
        return builder.endObject();
    }
}
