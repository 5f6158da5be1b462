package org.shardrerank.elasticsearch.query;

import org.elasticsearch.TransportVersion;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.support.ContextPreservingActionListener;
import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.ParsingException;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.StreamOutput;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.search.vectors.QueryVectorBuilder;
import org.elasticsearch.xcontent.ObjectParser;
import org.elasticsearch.xcontent.ParseField;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.shardrerank.elasticsearch.util.Errors;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.model.ModelDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Query-time embedding the Elasticsearch way: a {@code query_vector_builder} for the {@code knn} query and the
 * {@code knn} search section.
 * <pre>{"knn": {"field": "body_vector", "k": 10, "num_candidates": 50,
 *          "query_vector_builder": {"text_vectors": {"model": "all-minilm-l6-v2", "query_text": "do goldfish grow"}}}}</pre>
 * Elasticsearch calls {@link #buildVector} once per search on the coordinating node, on a network thread: the text is
 * embedded on the inference thread pool (search lane) and the listener completed from there, in the caller's thread
 * context. The model must be on the coordinating node.
 */
public final class TextVectorsQueryVectorBuilder implements QueryVectorBuilder {
    public static final String NAME = "text_vectors";

    static final ParseField MODEL = new ParseField("model");
    static final ParseField QUERY_TEXT = new ParseField("query_text");

    private static final ObjectParser<Fields, Void> PARSER = new ObjectParser<>(NAME, Fields::new);
    static {
        PARSER.declareString((f, v) -> f.model = v, MODEL);
        PARSER.declareString((f, v) -> f.queryText = v, QUERY_TEXT);
    }

    private static final class Fields {
        String model;
        String queryText;
    }

    private final EmbeddingService embeddings;
    private final String model;
    private final String queryText;

    public TextVectorsQueryVectorBuilder(EmbeddingService embeddings, String model, String queryText) {
        this.embeddings = embeddings;
        this.model = model;
        this.queryText = queryText;
        validate();
    }

    public TextVectorsQueryVectorBuilder(StreamInput in, EmbeddingService embeddings) throws IOException {
        this(embeddings, in.readString(), in.readString());
    }

    /** The query vector builder parser Elasticsearch asks for (no checked exceptions); messages name the field. */
    public static TextVectorsQueryVectorBuilder fromXContent(XContentParser parser, EmbeddingService embeddings) {
        Fields fields;
        try {
            fields = PARSER.parse(parser, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new TextVectorsQueryVectorBuilder(embeddings, fields.model, fields.queryText);
        } catch (IllegalArgumentException e) {
            throw new ParsingException(parser.getTokenLocation(), e.getMessage());
        }
    }

    private void validate() {
        if (ModelDescriptor.validName(model) == false) {
            throw new IllegalArgumentException("[" + NAME + "] requires [model], a text_embedding model of this cluster, got [" + model + "]");
        }
        if (queryText == null || queryText.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "] requires a non-empty [query_text]");
        }
    }

    @Override
    public void buildVector(Client client, ActionListener<float[]> listener) {
        embed(client.threadPool().getThreadContext(), listener);
    }

    /** Never blocks: an unknown model or one that is not a text embedding model fails the listener (400). */
    void embed(ThreadContext threadContext, ActionListener<float[]> listener) {
        ActionListener<float[]> inCallersContext = ContextPreservingActionListener.wrapPreservingContext(listener, threadContext);
        embeddings.embedQuery(model, queryText).whenComplete((vector, failure) -> {
            if (failure != null) {
                inCallersContext.onFailure(Errors.translate(failure));
            } else {
                inCallersContext.onResponse(vector);
            }
        });
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
        out.writeString(model);
        out.writeString(queryText);
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        return builder.startObject().field(MODEL.getPreferredName(), model).field(QUERY_TEXT.getPreferredName(), queryText).endObject();
    }

    public String model() {
        return model;
    }

    public String queryText() {
        return queryText;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextVectorsQueryVectorBuilder b && model.equals(b.model) && queryText.equals(b.queryText);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, queryText);
    }

    @Override
    public String toString() {
        return NAME + "[model=" + model + ", query_text=" + queryText + "]";
    }
}
