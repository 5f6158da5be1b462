package org.shardrerank.opensearch.query;

import org.apache.lucene.search.Query;
import org.opensearch.core.ParseField;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.opensearch.util.Errors;
import org.shardrerank.model.ModelDescriptor;

import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code text_knn} query: k-NN search by text.
 * <pre>{"text_knn": {"field": "body_vector", "query_text": "do goldfish grow", "model": "all-minilm-l6-v2", "k": 50,
 *               "filter": {...}}}</pre>
 * At the coordinating node's rewrite it embeds {@code query_text} once per search request, asynchronously on the
 * inference thread pool (as core's terms lookup fetches its terms), and becomes the k-NN plugin's {@code knn}
 * query; shards only ever see that {@code knn} query. Usable alone or as a sub-query of {@code hybrid_rrf} or
 * {@code bool}.
 */
public final class TextKnnQueryBuilder extends AbstractQueryBuilder<TextKnnQueryBuilder> {
    public static final String NAME = "text_knn";
    static final int MAX_K = 10_000;

    static final ParseField FIELD = new ParseField("field");
    static final ParseField QUERY_TEXT = new ParseField("query_text");
    static final ParseField MODEL = new ParseField("model");
    static final ParseField K = new ParseField("k");
    static final ParseField FILTER = new ParseField("filter");

    private static final ObjectParser<TextKnnQueryBuilder, EmbeddingService> PARSER = new ObjectParser<>(NAME, null);
    static {
        PARSER.declareString(TextKnnQueryBuilder::field, FIELD);
        PARSER.declareString(TextKnnQueryBuilder::queryText, QUERY_TEXT);
        PARSER.declareString(TextKnnQueryBuilder::model, MODEL);
        PARSER.declareInt(TextKnnQueryBuilder::k, K);
        PARSER.declareObject(TextKnnQueryBuilder::filter, (p, c) -> parseInnerQueryBuilder(p), FILTER);
        declareStandardFields(PARSER);
    }

    private final EmbeddingService embeddings;
    private String field;
    private String queryText;
    private String model;
    private int k = 10;
    private QueryBuilder filter;
    /** Set once the coordinator's async action has the vector. */
    private final Supplier<float[]> vector;

    public TextKnnQueryBuilder(EmbeddingService embeddings) {
        this(embeddings, null);
    }

    private TextKnnQueryBuilder(EmbeddingService embeddings, Supplier<float[]> vector) {
        this.embeddings = embeddings;
        this.vector = vector;
    }

    public TextKnnQueryBuilder(StreamInput in, EmbeddingService embeddings) throws IOException {
        super(in);
        this.embeddings = embeddings;
        this.vector = null;
        field = in.readString();
        queryText = in.readString();
        model = in.readString();
        k = in.readVInt();
        filter = in.readOptionalNamedWriteable(QueryBuilder.class);
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        if (vector != null) {
            throw new IllegalStateException("[" + NAME + "] cannot be sent while its vector is being computed");
        }
        out.writeString(field);
        out.writeString(queryText);
        out.writeString(model);
        out.writeVInt(k);
        out.writeOptionalNamedWriteable(filter);
    }

    public static TextKnnQueryBuilder fromXContent(XContentParser parser, EmbeddingService embeddings) throws IOException {
        TextKnnQueryBuilder builder;
        try {
            builder = PARSER.parse(parser, new TextKnnQueryBuilder(embeddings), embeddings);
        } catch (IllegalArgumentException e) {
            throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
        }
        try {
            builder.validate();
        } catch (IllegalArgumentException e) {
            throw new ParsingException(parser.getTokenLocation(), e.getMessage());
        }
        return builder;
    }

    /** Checks what the request alone can tell; messages name the field. */
    void validate() {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "] requires [field], the knn_vector field to search");
        }
        if (queryText == null || queryText.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "] requires a non-empty [query_text]");
        }
        if (ModelDescriptor.validName(model) == false) {
            throw new IllegalArgumentException("[" + NAME + "] requires [model], a text_embedding model of this cluster, got [" + model + "]");
        }
        if (k < 1 || k > MAX_K) {
            throw new IllegalArgumentException("[" + NAME + "] [k] must be in [1, " + MAX_K + "], got [" + k + "]");
        }
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.field(FIELD.getPreferredName(), field);
        builder.field(QUERY_TEXT.getPreferredName(), queryText);
        builder.field(MODEL.getPreferredName(), model);
        builder.field(K.getPreferredName(), k);
        if (filter != null) {
            builder.field(FILTER.getPreferredName(), filter);
        }
        printBoostAndQueryName(builder);
        builder.endObject();
    }

    @Override
    protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
        if (vector != null) {
            float[] v = vector.get();
            return v == null ? this : KnnQueries.knn(context.getXContentRegistry(), field, v, k, filter, boost, queryName);
        }
        if (context.convertToShardContext() != null) {
            throw notInASearch(); // a shard-level rewrite: alias filter validation, percolator
        }
        org.apache.lucene.util.SetOnce<float[]> holder = new org.apache.lucene.util.SetOnce<>();
        context.registerAsyncAction((client, listener) -> embeddings.embedQuery(model, queryText).whenComplete((v, failure) -> {
            if (failure != null) {
                listener.onFailure(Errors.translate(failure));
            } else {
                holder.set(v);
                listener.onResponse(null);
            }
        }));
        TextKnnQueryBuilder fetching = new TextKnnQueryBuilder(embeddings, holder::get);
        fetching.field = field;
        fetching.queryText = queryText;
        fetching.model = model;
        fetching.k = k;
        fetching.filter = filter;
        fetching.boost = boost;
        fetching.queryName = queryName;
        return fetching;
    }

    @Override
    protected Query doToQuery(QueryShardContext context) {
        throw notInASearch();
    }

    private static IllegalArgumentException notInASearch() {
        return new IllegalArgumentException("[" + NAME + "] runs only in search requests, where the coordinating node embeds the text; "
            + "it cannot be stored in an alias filter or a percolator query");
    }

    @Override
    protected boolean doEquals(TextKnnQueryBuilder other) {
        return k == other.k
            && Objects.equals(field, other.field)
            && Objects.equals(queryText, other.queryText)
            && Objects.equals(model, other.model)
            && Objects.equals(filter, other.filter)
            && Objects.equals(vector, other.vector);
    }

    @Override
    protected int doHashCode() {
        return Objects.hash(field, queryText, model, k, filter, vector);
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    public TextKnnQueryBuilder field(String field) {
        this.field = field;
        return this;
    }

    public TextKnnQueryBuilder queryText(String queryText) {
        this.queryText = queryText;
        return this;
    }

    public TextKnnQueryBuilder model(String model) {
        this.model = model;
        return this;
    }

    public TextKnnQueryBuilder k(int k) {
        this.k = k;
        return this;
    }

    public TextKnnQueryBuilder filter(QueryBuilder filter) {
        this.filter = filter;
        return this;
    }

    public String field() {
        return field;
    }

    public String queryText() {
        return queryText;
    }

    public String model() {
        return model;
    }

    public int k() {
        return k;
    }

    public QueryBuilder filter() {
        return filter;
    }
}
