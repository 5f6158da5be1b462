package org.shardrerank.spike;

import org.elasticsearch.TransportVersion;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.search.vectors.QueryVectorBuilder;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.Objects;

/** "query_vector_builder": {"spike_text": {"model_text": "...", "dims": 3}} -> a deterministic hashed vector. */
public class SpikeVectorBuilder implements QueryVectorBuilder {
    public static final String NAME = "spike_text";
    final String text;
    final int dims;

    SpikeVectorBuilder(String text, int dims) {
        this.text = text;
        this.dims = dims;
    }

    public SpikeVectorBuilder(StreamInput in) throws IOException {
        this(in.readString(), in.readVInt());
    }

    static SpikeVectorBuilder fromXContent(XContentParser parser, Void unused) {
        try {
            String text = null;
            int dims = 3;
            String current = null;
            XContentParser.Token token;
            while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
                if (token == XContentParser.Token.FIELD_NAME) {
                    current = parser.currentName();
                } else if ("model_text".equals(current)) {
                    text = parser.text();
                } else if ("dims".equals(current)) {
                    dims = parser.intValue();
                }
            }
            return new SpikeVectorBuilder(Objects.requireNonNull(text, "model_text"), dims);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static float[] embed(String text, int dims) {
        float[] v = new float[dims];
        for (String w : text.toLowerCase(java.util.Locale.ROOT).split("\\W+")) {
            if (w.isEmpty() == false) {
                v[Math.floorMod(w.hashCode(), dims)] += 1;
            }
        }
        double norm = 0;
        for (float f : v) {
            norm += f * f;
        }
        if (norm == 0) {
            v[0] = 1;
            return v;
        }
        for (int i = 0; i < dims; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    @Override
    public void buildVector(Client client, ActionListener<float[]> listener) {
        Probe.MISC.put("query_vector_builder_thread", Thread.currentThread().getName());
        listener.onResponse(embed(text, dims));
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.zero();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(text);
        out.writeVInt(dims);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject().startObject(NAME).field("model_text", text).field("dims", dims).endObject().endObject();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpikeVectorBuilder b && b.text.equals(text) && b.dims == dims;
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, dims);
    }
}
