package org.shardrerank.rescore;

import org.opensearch.common.unit.TimeValue;
import org.opensearch.core.ParseField;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.search.rescore.RescoreContext;
import org.opensearch.search.rescore.RescorerBuilder;
import org.shardrerank.inference.Pooling;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code cross_encoder} rescorer as users write it: parsing, validation of the request's own values,
 * XContent and transport serialization. What needs the node (the model, limits, mappings) is checked in
 * {@link RescoreContextFactory} on each shard.
 */
public final class CrossEncoderRescorerBuilder extends RescorerBuilder<CrossEncoderRescorerBuilder> {
    public static final String NAME = "cross_encoder";

    static final ParseField MODEL = new ParseField("model");
    static final ParseField QUERY_TEXT = new ParseField("query_text");
    static final ParseField FIELDS = new ParseField("fields");
    static final ParseField MAX_LENGTH = new ParseField("max_length");
    static final ParseField STRIDE = new ParseField("stride");
    static final ParseField MAX_CHUNKS = new ParseField("max_chunks");
    static final ParseField POOLING = new ParseField("pooling");
    static final ParseField SCORE_MODE = new ParseField("score_mode");
    static final ParseField FIRST_STAGE_WEIGHT = new ParseField("first_stage_weight");
    static final ParseField RERANK_WEIGHT = new ParseField("rerank_weight");
    static final ParseField FIRST_STAGE_SCALE = new ParseField("first_stage_scale");
    static final ParseField IGNORE_UNMAPPED = new ParseField("ignore_unmapped");
    static final ParseField MIN_SCORE = new ParseField("min_score");
    static final ParseField BATCH_SIZE = new ParseField("batch_size");
    static final ParseField TIMEOUT = new ParseField("timeout");
    static final ParseField ON_TIMEOUT = new ParseField("on_timeout");

    static final int DEFAULT_MAX_CHUNKS = 8;
    static final int MAX_MAX_CHUNKS = 64;

    private static final ObjectParser<CrossEncoderRescorerBuilder, Void> PARSER = new ObjectParser<>(NAME, null);
    static {
        PARSER.declareString(CrossEncoderRescorerBuilder::model, MODEL);
        PARSER.declareString(CrossEncoderRescorerBuilder::queryText, QUERY_TEXT);
        PARSER.declareStringArray(CrossEncoderRescorerBuilder::fields, FIELDS);
        PARSER.declareInt(CrossEncoderRescorerBuilder::maxLength, MAX_LENGTH);
        PARSER.declareInt(CrossEncoderRescorerBuilder::stride, STRIDE);
        PARSER.declareInt(CrossEncoderRescorerBuilder::maxChunks, MAX_CHUNKS);
        PARSER.declareString((b, v) -> b.pooling(Pooling.parse(v)), POOLING);
        PARSER.declareString((b, v) -> b.scoreMode(ScoreMode.parse(v)), SCORE_MODE);
        PARSER.declareFloat(CrossEncoderRescorerBuilder::firstStageWeight, FIRST_STAGE_WEIGHT);
        PARSER.declareFloat(CrossEncoderRescorerBuilder::rerankWeight, RERANK_WEIGHT);
        PARSER.declareFloat(CrossEncoderRescorerBuilder::firstStageScale, FIRST_STAGE_SCALE);
        PARSER.declareBoolean(CrossEncoderRescorerBuilder::ignoreUnmapped, IGNORE_UNMAPPED);
        PARSER.declareFloat(CrossEncoderRescorerBuilder::minScore, MIN_SCORE);
        PARSER.declareInt(CrossEncoderRescorerBuilder::batchSize, BATCH_SIZE);
        PARSER.declareString((b, v) -> b.timeout(TimeValue.parseTimeValue(v, null, TIMEOUT.getPreferredName())), TIMEOUT);
        PARSER.declareString((b, v) -> b.onTimeout(OnTimeout.parse(v)), ON_TIMEOUT);
    }

    private String model;
    private String queryText;
    private List<String> fields = List.of();
    private Integer maxLength;
    private Integer stride;
    private int maxChunks = DEFAULT_MAX_CHUNKS;
    private Pooling pooling = Pooling.MAX;
    private ScoreMode scoreMode = ScoreMode.REPLACE;
    private Float firstStageWeight;
    private Float rerankWeight;
    private Float firstStageScale;
    private boolean ignoreUnmapped;
    private Float minScore;
    private Integer batchSize;
    private TimeValue timeout;
    private OnTimeout onTimeout = OnTimeout.KEEP_FIRST_STAGE;

    private final RescoreContextFactory contexts;

    public CrossEncoderRescorerBuilder(RescoreContextFactory contexts) {
        this.contexts = contexts;
    }

    public CrossEncoderRescorerBuilder(StreamInput in, RescoreContextFactory contexts) throws IOException {
        super(in);
        this.contexts = contexts;
        model = in.readString();
        queryText = in.readString();
        fields = in.readStringList();
        maxLength = in.readOptionalVInt();
        stride = in.readOptionalVInt();
        maxChunks = in.readVInt();
        pooling = in.readEnum(Pooling.class);
        scoreMode = in.readEnum(ScoreMode.class);
        firstStageWeight = in.readOptionalFloat();
        rerankWeight = in.readOptionalFloat();
        firstStageScale = in.readOptionalFloat();
        ignoreUnmapped = in.readBoolean();
        minScore = in.readOptionalFloat();
        batchSize = in.readOptionalVInt();
        timeout = in.readOptionalTimeValue();
        onTimeout = in.readEnum(OnTimeout.class);
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeString(model);
        out.writeString(queryText);
        out.writeStringCollection(fields);
        out.writeOptionalVInt(maxLength);
        out.writeOptionalVInt(stride);
        out.writeVInt(maxChunks);
        out.writeEnum(pooling);
        out.writeEnum(scoreMode);
        out.writeOptionalFloat(firstStageWeight);
        out.writeOptionalFloat(rerankWeight);
        out.writeOptionalFloat(firstStageScale);
        out.writeBoolean(ignoreUnmapped);
        out.writeOptionalFloat(minScore);
        out.writeOptionalVInt(batchSize);
        out.writeOptionalTimeValue(timeout);
        out.writeEnum(onTimeout);
    }

    public static CrossEncoderRescorerBuilder fromXContent(XContentParser parser, RescoreContextFactory contexts) throws IOException {
        CrossEncoderRescorerBuilder builder = PARSER.parse(parser, new CrossEncoderRescorerBuilder(contexts), null);
        builder.validate();
        return builder;
    }

    /** Checks what the request alone can tell; messages name the field. */
    void validate() {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "] requires [model]");
        }
        if (queryText == null || queryText.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "] requires a non-empty [query_text]");
        }
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("[" + NAME + "] requires at least one field in [fields]");
        }
        for (String f : fields) {
            if (f == null || f.isBlank()) {
                throw new IllegalArgumentException("[" + NAME + "] [fields] cannot contain an empty field name");
            }
        }
        if (maxLength != null && maxLength < 8) {
            throw new IllegalArgumentException("[" + NAME + "] [max_length] must be at least 8, got [" + maxLength + "]");
        }
        if (stride != null && stride < 0) {
            throw new IllegalArgumentException("[" + NAME + "] [stride] must be >= 0, got [" + stride + "]");
        }
        if (maxChunks < 1 || maxChunks > MAX_MAX_CHUNKS) {
            throw new IllegalArgumentException("[" + NAME + "] [max_chunks] must be in [1, " + MAX_MAX_CHUNKS + "], got [" + maxChunks + "]");
        }
        if (batchSize != null && (batchSize < 1 || batchSize > 1024)) {
            throw new IllegalArgumentException("[" + NAME + "] [batch_size] must be in [1, 1024], got [" + batchSize + "]");
        }
        if (scoreMode == ScoreMode.REPLACE && (firstStageWeight != null || rerankWeight != null || firstStageScale != null)) {
            throw new IllegalArgumentException("[" + NAME + "] [first_stage_weight], [rerank_weight] and [first_stage_scale] apply to "
                + "[score_mode] [combine] only");
        }
        if (firstStageScale != null && (Float.isFinite(firstStageScale) == false || firstStageScale <= 0)) {
            throw new IllegalArgumentException("[" + NAME + "] [first_stage_scale] must be a finite number > 0, got [" + firstStageScale + "]");
        }
        checkWeight(FIRST_STAGE_WEIGHT, firstStageWeight);
        checkWeight(RERANK_WEIGHT, rerankWeight);
        if (scoreMode == ScoreMode.COMBINE && firstStageWeight() == 0 && rerankWeight() == 0) {
            throw new IllegalArgumentException("[" + NAME + "] [first_stage_weight] and [rerank_weight] cannot both be 0");
        }
        if (scoreMode == ScoreMode.COMBINE && firstStageScale == null) {
            throw new IllegalArgumentException("[" + NAME + "] [score_mode] [combine] requires [first_stage_scale]: the first-stage score "
                + "that counts as half, the same on every shard (e.g. 0.0164 = 1/(60+1) for hybrid_rrf, a typical top score for match)");
        }
        if (minScore != null && Float.isFinite(minScore) == false) {
            throw new IllegalArgumentException("[" + NAME + "] [min_score] must be a finite number");
        }
        if (timeout != null && timeout.millis() <= 0) {
            throw new IllegalArgumentException("[" + NAME + "] [timeout] must be positive, got [" + timeout.getStringRep() + "]");
        }
    }

    private static void checkWeight(ParseField field, Float weight) {
        if (weight != null && (Float.isFinite(weight) == false || weight < 0)) {
            throw new IllegalArgumentException("[" + NAME + "] [" + field.getPreferredName() + "] must be a finite number >= 0, got [" + weight + "]");
        }
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.field(MODEL.getPreferredName(), model);
        builder.field(QUERY_TEXT.getPreferredName(), queryText);
        builder.field(FIELDS.getPreferredName(), fields);
        if (maxLength != null) {
            builder.field(MAX_LENGTH.getPreferredName(), maxLength);
        }
        if (stride != null) {
            builder.field(STRIDE.getPreferredName(), stride);
        }
        builder.field(MAX_CHUNKS.getPreferredName(), maxChunks);
        builder.field(POOLING.getPreferredName(), pooling.toString());
        builder.field(SCORE_MODE.getPreferredName(), scoreMode.toString());
        if (firstStageWeight != null) {
            builder.field(FIRST_STAGE_WEIGHT.getPreferredName(), firstStageWeight);
        }
        if (rerankWeight != null) {
            builder.field(RERANK_WEIGHT.getPreferredName(), rerankWeight);
        }
        if (firstStageScale != null) {
            builder.field(FIRST_STAGE_SCALE.getPreferredName(), firstStageScale);
        }
        if (ignoreUnmapped) {
            builder.field(IGNORE_UNMAPPED.getPreferredName(), true);
        }
        if (minScore != null) {
            builder.field(MIN_SCORE.getPreferredName(), minScore);
        }
        if (batchSize != null) {
            builder.field(BATCH_SIZE.getPreferredName(), batchSize);
        }
        if (timeout != null) {
            builder.field(TIMEOUT.getPreferredName(), timeout.getStringRep());
        }
        builder.field(ON_TIMEOUT.getPreferredName(), onTimeout.toString());
        builder.endObject();
    }

    @Override
    protected RescoreContext innerBuildContext(int windowSize, QueryShardContext context) throws IOException {
        return contexts.build(this, windowSize, context);
    }

    @Override
    public RescorerBuilder<CrossEncoderRescorerBuilder> rewrite(QueryRewriteContext ctx) {
        return this;
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    public CrossEncoderRescorerBuilder model(String model) {
        this.model = model;
        return this;
    }

    public CrossEncoderRescorerBuilder queryText(String queryText) {
        this.queryText = queryText;
        return this;
    }

    public CrossEncoderRescorerBuilder fields(List<String> fields) {
        this.fields = new ArrayList<>(fields);
        return this;
    }

    public CrossEncoderRescorerBuilder maxLength(Integer maxLength) {
        this.maxLength = maxLength;
        return this;
    }

    public CrossEncoderRescorerBuilder stride(Integer stride) {
        this.stride = stride;
        return this;
    }

    public CrossEncoderRescorerBuilder maxChunks(int maxChunks) {
        this.maxChunks = maxChunks;
        return this;
    }

    public CrossEncoderRescorerBuilder pooling(Pooling pooling) {
        this.pooling = pooling;
        return this;
    }

    public CrossEncoderRescorerBuilder scoreMode(ScoreMode scoreMode) {
        this.scoreMode = scoreMode;
        return this;
    }

    public CrossEncoderRescorerBuilder firstStageWeight(Float weight) {
        this.firstStageWeight = weight;
        return this;
    }

    public CrossEncoderRescorerBuilder rerankWeight(Float weight) {
        this.rerankWeight = weight;
        return this;
    }

    public CrossEncoderRescorerBuilder firstStageScale(Float scale) {
        this.firstStageScale = scale;
        return this;
    }

    public CrossEncoderRescorerBuilder ignoreUnmapped(boolean ignoreUnmapped) {
        this.ignoreUnmapped = ignoreUnmapped;
        return this;
    }

    public CrossEncoderRescorerBuilder minScore(Float minScore) {
        this.minScore = minScore;
        return this;
    }

    public CrossEncoderRescorerBuilder batchSize(Integer batchSize) {
        this.batchSize = batchSize;
        return this;
    }

    public CrossEncoderRescorerBuilder timeout(TimeValue timeout) {
        this.timeout = timeout;
        return this;
    }

    public CrossEncoderRescorerBuilder onTimeout(OnTimeout onTimeout) {
        this.onTimeout = onTimeout;
        return this;
    }

    public String model() {
        return model;
    }

    public String queryText() {
        return queryText;
    }

    public List<String> fields() {
        return fields;
    }

    public Integer maxLength() {
        return maxLength;
    }

    public Integer stride() {
        return stride;
    }

    public int maxChunks() {
        return maxChunks;
    }

    public Pooling pooling() {
        return pooling;
    }

    public ScoreMode scoreMode() {
        return scoreMode;
    }

    public float firstStageWeight() {
        return firstStageWeight == null ? 1f : firstStageWeight;
    }

    public float rerankWeight() {
        return rerankWeight == null ? 1f : rerankWeight;
    }

    /** {@code combine} only (validated): the first-stage score that counts as half. */
    public float firstStageScale() {
        return firstStageScale == null ? Float.NaN : firstStageScale;
    }

    public boolean ignoreUnmapped() {
        return ignoreUnmapped;
    }

    public Float minScore() {
        return minScore;
    }

    public Integer batchSize() {
        return batchSize;
    }

    public TimeValue timeout() {
        return timeout;
    }

    public OnTimeout onTimeout() {
        return onTimeout;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || super.equals(o) == false) {
            return false;
        }
        CrossEncoderRescorerBuilder that = (CrossEncoderRescorerBuilder) o;
        return maxChunks == that.maxChunks
            && Objects.equals(model, that.model)
            && Objects.equals(queryText, that.queryText)
            && Objects.equals(fields, that.fields)
            && Objects.equals(maxLength, that.maxLength)
            && Objects.equals(stride, that.stride)
            && pooling == that.pooling
            && scoreMode == that.scoreMode
            && Objects.equals(firstStageWeight, that.firstStageWeight)
            && Objects.equals(rerankWeight, that.rerankWeight)
            && Objects.equals(firstStageScale, that.firstStageScale)
            && ignoreUnmapped == that.ignoreUnmapped
            && Objects.equals(minScore, that.minScore)
            && Objects.equals(batchSize, that.batchSize)
            && Objects.equals(timeout, that.timeout)
            && onTimeout == that.onTimeout;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), model, queryText, fields, maxLength, stride, maxChunks, pooling, scoreMode,
            firstStageWeight, rerankWeight, firstStageScale, ignoreUnmapped, minScore, batchSize, timeout, onTimeout);
    }
}
