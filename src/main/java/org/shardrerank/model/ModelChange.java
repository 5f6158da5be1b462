package org.shardrerank.model;

import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.ToXContentFragment;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.Map;

/**
 * What a load, unload or reload did to one model on one node.
 *
 * @param before     state before the operation
 * @param after      state after it
 * @param generation versions of the model this node has loaded so far (the serving one is the last)
 * @param sha256     checksums of the serving version's files, empty when nothing serves
 * @param error      why the operation failed, or null
 */
public record ModelChange(String model, ModelState before, ModelState after, long generation, Map<String, String> sha256, String error)
    implements Writeable, ToXContentFragment {

    static ModelChange missing(String model, String error) {
        return new ModelChange(model, ModelState.MISSING, ModelState.MISSING, 0, Map.of(), error);
    }

    public static ModelChange readFrom(StreamInput in) throws IOException {
        return new ModelChange(in.readString(), in.readEnum(ModelState.class), in.readEnum(ModelState.class), in.readVLong(),
            in.readMap(StreamInput::readString, StreamInput::readString), in.readOptionalString());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(model);
        out.writeEnum(before);
        out.writeEnum(after);
        out.writeVLong(generation);
        out.writeMap(sha256, StreamOutput::writeString, StreamOutput::writeString);
        out.writeOptionalString(error);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.field("before", before.toString());
        builder.field("after", after.toString());
        builder.field("generation", generation);
        if (sha256.isEmpty() == false) {
            builder.field("sha256", sha256);
        }
        if (error != null) {
            builder.field("error", error);
        }
        return builder;
    }
}
