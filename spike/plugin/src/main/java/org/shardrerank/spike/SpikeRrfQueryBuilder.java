package org.shardrerank.spike;

import org.apache.lucene.search.Query;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.internal.MaxClauseCountQueryVisitor;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** {"spike_rrf": {"queries": [...], "window": 10}} */
public class SpikeRrfQueryBuilder extends AbstractQueryBuilder<SpikeRrfQueryBuilder> {
    public static final String NAME = "spike_rrf";
    final List<QueryBuilder> queries;
    final int window;

    SpikeRrfQueryBuilder(List<QueryBuilder> queries, int window) {
        this.queries = queries;
        this.window = window;
    }

    public SpikeRrfQueryBuilder(StreamInput in) throws IOException {
        super(in);
        queries = readQueries(in);
        window = in.readVInt();
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        writeQueries(out, queries);
        out.writeVInt(window);
    }

    public static SpikeRrfQueryBuilder fromXContent(XContentParser parser) throws IOException {
        List<QueryBuilder> queries = new ArrayList<>();
        int window = 10;
        String current = null;
        XContentParser.Token token;
        while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
            if (token == XContentParser.Token.FIELD_NAME) {
                current = parser.currentName();
            } else if (token == XContentParser.Token.START_ARRAY && "queries".equals(current)) {
                while (parser.nextToken() != XContentParser.Token.END_ARRAY) {
                    queries.add(parseInnerQueryBuilder(parser));
                }
            } else if ("window".equals(current)) {
                window = parser.intValue();
            } else {
                throw new IllegalArgumentException("[spike_rrf] unknown field [" + current + "]");
            }
        }
        return new SpikeRrfQueryBuilder(queries, window);
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME).startArray("queries");
        for (QueryBuilder q : queries) {
            q.toXContent(builder, params);
        }
        builder.endArray().field("window", window);
        boostAndQueryNameToXContent(builder);
        builder.endObject();
    }

    @Override
    protected QueryBuilder doRewrite(QueryRewriteContext ctx) throws IOException {
        List<QueryBuilder> rewritten = new ArrayList<>(queries.size());
        boolean changed = false;
        for (QueryBuilder q : queries) {
            QueryBuilder r = q.rewrite(ctx);
            changed |= r != q;
            rewritten.add(r);
        }
        return changed ? new SpikeRrfQueryBuilder(rewritten, window).boost(boost).queryName(queryName) : this;
    }

    @Override
    protected Query doToQuery(SearchExecutionContext context, MaxClauseCountQueryVisitor visitor) throws IOException {
        List<Query> subs = new ArrayList<>(queries.size());
        for (QueryBuilder q : queries) {
            subs.add(q.toQuery(context));
        }
        return new SpikeRrfQuery(subs, window);
    }

    @Override
    protected boolean doEquals(SpikeRrfQueryBuilder other) {
        return queries.equals(other.queries) && window == other.window;
    }

    @Override
    protected int doHashCode() {
        return Objects.hash(queries, window);
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.minimumCompatible();
    }
}
