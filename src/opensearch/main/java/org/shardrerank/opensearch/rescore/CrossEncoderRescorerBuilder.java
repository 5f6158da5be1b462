package org.shardrerank.opensearch.rescore;

import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.search.rescore.RescoreContext;
import org.opensearch.search.rescore.RescorerBuilder;
import org.shardrerank.rescore.CrossEncoderRequest;

import java.io.IOException;
import java.util.Objects;

/**
 * The {@code cross_encoder} rescorer in OpenSearch's request: parses the object into the core's
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
        this.request = CrossEncoderRequest.fromMap(in.readMap());
        this.contexts = contexts;
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeMap(request.toMap());
    }

    public static CrossEncoderRescorerBuilder fromXContent(XContentParser parser, RescoreContextFactory contexts) throws IOException {
        return new CrossEncoderRescorerBuilder(CrossEncoderRequest.fromMap(parser.map()), contexts);
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.field(NAME, request.toMap());
    }

    @Override
    protected RescoreContext innerBuildContext(int windowSize, QueryShardContext context) {
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
