package org.shardrerank.spike;

import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.rescore.RescoreContext;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.Objects;

/** {"spike_rescore": {"query_text": "...", "field": "text", "sleep_ms": 0}} */
public class SpikeRescorerBuilder extends RescorerBuilder<SpikeRescorerBuilder> {
    public static final String NAME = "spike_rescore";
    final String queryText;
    final String field;
    final int sleepMs;

    SpikeRescorerBuilder(String queryText, String field, int sleepMs) {
        this.queryText = queryText;
        this.field = field;
        this.sleepMs = sleepMs;
    }

    public SpikeRescorerBuilder(StreamInput in) throws IOException {
        super(in);
        queryText = in.readString();
        field = in.readString();
        sleepMs = in.readVInt();
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeString(queryText);
        out.writeString(field);
        out.writeVInt(sleepMs);
    }

    public static SpikeRescorerBuilder fromXContent(XContentParser parser) throws IOException {
        String q = null, f = null;
        int sleep = 0;
        String current = null;
        XContentParser.Token token;
        while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
            if (token == XContentParser.Token.FIELD_NAME) {
                current = parser.currentName();
            } else if ("query_text".equals(current)) {
                q = parser.text();
            } else if ("field".equals(current)) {
                f = parser.text();
            } else if ("sleep_ms".equals(current)) {
                sleep = parser.intValue();
            } else {
                throw new IllegalArgumentException("[spike_rescore] unknown field [" + current + "]");
            }
        }
        return new SpikeRescorerBuilder(Objects.requireNonNull(q, "query_text"), Objects.requireNonNull(f, "field"), sleep);
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME).field("query_text", queryText).field("field", field).field("sleep_ms", sleepMs).endObject();
    }

    @Override
    protected RescoreContext innerBuildContext(int windowSize, SearchExecutionContext context) {
        return new SpikeRescorer.Context(windowSize, this, context);
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
    public RescorerBuilder<SpikeRescorerBuilder> rewrite(QueryRewriteContext ctx) {
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof SpikeRescorerBuilder b && b.queryText.equals(queryText) && b.field.equals(field)
            && b.sleepMs == sleepMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), queryText, field, sleepMs);
    }
}
