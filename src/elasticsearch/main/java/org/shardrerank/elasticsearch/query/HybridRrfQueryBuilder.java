package org.shardrerank.elasticsearch.query;

import org.apache.lucene.search.Query;
import org.elasticsearch.TransportVersion;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.InnerHitContextBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.search.internal.MaxClauseCountQueryVisitor;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.shardrerank.query.HybridRrfOptions;
import org.shardrerank.query.HybridRrfQuery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code hybrid_rrf} query as users write it: parsing, validation, XContent and transport serialization; the
 * same DSL and messages as the OpenSearch edition. {@link HybridRrfQuery} does the work; {@link SubQueries} applies the
 * filter to each sub-query. Sub-queries may be any query, including Elasticsearch's {@code knn} (also with a
 * {@code query_vector_builder}, which {@link #doRewrite} lets Elasticsearch resolve).
 */
public final class HybridRrfQueryBuilder extends AbstractQueryBuilder<HybridRrfQueryBuilder> {
    public static final String NAME = "hybrid_rrf";

    static final ParseField QUERIES = new ParseField("queries");
    static final ParseField WEIGHTS = new ParseField("weights");
    static final ParseField RANK_CONSTANT = new ParseField("rank_constant");
    static final ParseField WINDOW_SIZE = new ParseField("window_size");
    static final ParseField FILTER = new ParseField("filter");

    public static final int DEFAULT_RANK_CONSTANT = 60;
    public static final int DEFAULT_WINDOW_SIZE = 100;

    private static final ObjectParser<HybridRrfQueryBuilder, Void> PARSER = new ObjectParser<>(NAME, () -> new HybridRrfQueryBuilder(List.of()));
    static {
        PARSER.declareObjectArray(HybridRrfQueryBuilder::queries, (p, c) -> parseInnerQueryBuilder(p), QUERIES);
        PARSER.declareFloatArray(HybridRrfQueryBuilder::weights, WEIGHTS);
        PARSER.declareInt(HybridRrfQueryBuilder::rankConstant, RANK_CONSTANT);
        PARSER.declareInt(HybridRrfQueryBuilder::windowSize, WINDOW_SIZE);
        PARSER.declareObject(HybridRrfQueryBuilder::filterQuery, (p, c) -> parseInnerQueryBuilder(p), FILTER);
        declareStandardFields(PARSER);
    }

    private List<QueryBuilder> queries;
    private List<Float> weights;
    private int rankConstant = DEFAULT_RANK_CONSTANT;
    private int windowSize = DEFAULT_WINDOW_SIZE;
    private QueryBuilder filter;

    public HybridRrfQueryBuilder(List<QueryBuilder> queries) {
        this.queries = List.copyOf(queries);
    }

    public HybridRrfQueryBuilder(StreamInput in) throws IOException {
        super(in);
        queries = readQueries(in);
        weights = in.readBoolean() ? in.readCollectionAsList(StreamInput::readFloat) : null;
        rankConstant = in.readVInt();
        windowSize = in.readVInt();
        filter = in.readOptionalNamedWriteable(QueryBuilder.class);
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        writeQueries(out, queries);
        out.writeBoolean(weights != null);
        if (weights != null) {
            out.writeCollection(weights, StreamOutput::writeFloat);
        }
        out.writeVInt(rankConstant);
        out.writeVInt(windowSize);
        out.writeOptionalNamedWriteable(filter);
    }

    public static HybridRrfQueryBuilder fromXContent(XContentParser parser) throws IOException {
        HybridRrfQueryBuilder builder = PARSER.parse(parser, null);
        builder.validate();
        return builder;
    }

    /**
     * Checks what the request alone can tell; messages name the field. Elasticsearch's query builders have no visitor,
     * so a {@code hybrid_rrf} nested deeper than a direct sub-query is found by {@link SubQueries} when the shard
     * builds the Lucene query.
     */
    void validate() {
        HybridRrfOptions.validate(queries.size(), weights, rankConstant, windowSize);
        for (QueryBuilder q : queries) {
            if (q instanceof HybridRrfQueryBuilder) {
                throw HybridRrfOptions.nested();
            }
        }
        if (filter instanceof HybridRrfQueryBuilder) {
            throw HybridRrfOptions.nested();
        }
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.startArray(QUERIES.getPreferredName());
        for (QueryBuilder q : queries) {
            q.toXContent(builder, params);
        }
        builder.endArray();
        if (weights != null) {
            builder.field(WEIGHTS.getPreferredName(), weights);
        }
        builder.field(RANK_CONSTANT.getPreferredName(), rankConstant);
        builder.field(WINDOW_SIZE.getPreferredName(), windowSize);
        if (filter != null) {
            builder.field(FILTER.getPreferredName(), filter);
        }
        boostAndQueryNameToXContent(builder);
        builder.endObject();
    }

    @Override
    protected Query doToQuery(SearchExecutionContext context, MaxClauseCountQueryVisitor visitor) throws IOException {
        validate();
        HybridRrfOptions.checkWindow(windowSize, context.getIndexSettings().getMaxResultWindow(), context.index().getName());
        float[] w = HybridRrfOptions.weights(weights, queries.size());
        return new HybridRrfQuery(SubQueries.toQueries(queries, filter, context, visitor), w, rankConstant, windowSize);
    }

    /** Rewrites every sub-query and the filter: a {@code knn} query's {@code query_vector_builder} is resolved here. */
    @Override
    protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
        List<QueryBuilder> rewritten = new ArrayList<>(queries.size());
        boolean changed = false;
        for (QueryBuilder q : queries) {
            QueryBuilder r = q.rewrite(context);
            changed |= r != q;
            rewritten.add(r);
        }
        QueryBuilder rewrittenFilter = filter == null ? null : filter.rewrite(context);
        if (changed == false && rewrittenFilter == filter) {
            return this;
        }
        HybridRrfQueryBuilder copy = new HybridRrfQueryBuilder(rewritten).weights(weights).rankConstant(rankConstant).windowSize(windowSize);
        return copy.filterQuery(rewrittenFilter);
    }

    @Override
    protected void extractInnerHitBuilders(Map<String, InnerHitContextBuilder> innerHits) {
        for (QueryBuilder q : queries) {
            InnerHitContextBuilder.extractInnerHits(q, innerHits);
        }
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    @Override
    public TransportVersion getMinimalSupportedVersion() {
        return TransportVersion.zero();
    }

    public HybridRrfQueryBuilder queries(List<QueryBuilder> queries) {
        this.queries = List.copyOf(queries);
        return this;
    }

    /** One weight per query, or null for all 1. */
    public HybridRrfQueryBuilder weights(List<Float> weights) {
        this.weights = weights == null ? null : List.copyOf(weights);
        return this;
    }

    public HybridRrfQueryBuilder rankConstant(int rankConstant) {
        this.rankConstant = rankConstant;
        return this;
    }

    public HybridRrfQueryBuilder windowSize(int windowSize) {
        this.windowSize = windowSize;
        return this;
    }

    /** The DSL's {@code filter}: applied to every sub-query (inside {@code knn}) before it picks its top window, or null. */
    public HybridRrfQueryBuilder filterQuery(QueryBuilder filter) {
        this.filter = filter;
        return this;
    }

    public List<QueryBuilder> queries() {
        return queries;
    }

    public List<Float> weights() {
        return weights;
    }

    public int rankConstant() {
        return rankConstant;
    }

    public int windowSize() {
        return windowSize;
    }

    public QueryBuilder filterQuery() {
        return filter;
    }

    @Override
    protected boolean doEquals(HybridRrfQueryBuilder other) {
        return rankConstant == other.rankConstant
            && windowSize == other.windowSize
            && queries.equals(other.queries)
            && Objects.equals(weights, other.weights)
            && Objects.equals(filter, other.filter);
    }

    @Override
    protected int doHashCode() {
        return Objects.hash(queries, weights, rankConstant, windowSize, filter);
    }
}
