package org.shardrerank.elasticsearch.rescore;

import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.shardrerank.rescore.CrossEncoderRequest;

import java.io.IOException;
import java.util.Objects;

/**
 * The {@code cross_encoder} rescorer in Elasticsearch's request: parses the object into the core's
 * {@link CrossEncoderRequest} (which checks it), renders it back, and sends it between nodes as its map.
 */
public final class CrossEncoderRescorerBuilder extends RescorerBuilder<CrossEncoderRescorerBuilder> {
    public static final String NAME = CrossEncoderRequest.NAME;

    private final CrossEncoderRequest request;
    private final RescoreContextFactory contexts;

    public CrossEncoderRescorerBuilder(CrossEncoderRequest request, RescoreContextFactory contexts) {
        this.request = request;
        this.contexts = contexts;
    }

    public CrossEncoderRescorerBuilder(StreamInput in, RescoreContextFactory contexts) throws IOException {
        super(in);
        this.request = CrossEncoderRequest.fromMap(in.readGenericMap());
        this.contexts = contexts;
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeGenericMap(request.toMap());
    }

    public static CrossEncoderRescorerBuilder fromXContent(XContentParser parser, RescoreContextFactory contexts) throws IOException {
        return new CrossEncoderRescorerBuilder(CrossEncoderRequest.fromMap(parser.map()), contexts);
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.field(NAME, request.toMap());
    }

    @Override
    protected RescoreContext innerBuildContext(int windowSize, SearchExecutionContext context) {
        return contexts.build(request, windowSize, context);
    }

    @Override
    public RescorerBuilder<CrossEncoderRescorerBuilder> rewrite(QueryRewriteContext ctx) {
        return this;
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    /** The options travel as a generic map that every version reads. */
    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.zero();
    }

    public CrossEncoderRequest request() {
        return request;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || super.equals(o) == false) {
            return false;
        }
        return request.equals(((CrossEncoderRescorerBuilder) o).request);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), request);
    }
}
