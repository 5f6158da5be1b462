package org.shardrerank.rescore;

import org.shardrerank.inference.Pooling;
import org.shardrerank.util.Durations;
import org.shardrerank.util.Options;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code cross_encoder} rescorer's options as users write them, checked for what the request alone can tell
 * (messages name the field). Both engines' builders parse their JSON into a map and hand it here, render
 * {@link #toMap()} back, and send that map between nodes. What needs the node (model, limits, mappings) is checked by
 * {@link RescorePlanner} on each shard.
 *
 * @param timeout as the user wrote it (rendered back unchanged), or null for the node's default
 */
public record CrossEncoderRequest(String model, String queryText, List<String> fields, Integer maxLength, Integer stride, int maxChunks,
                                  Pooling pooling, ScoreMode scoreMode, Float firstStageWeight, Float rerankWeight, Float firstStageScale,
                                  boolean ignoreUnmapped, Float minScore, Integer batchSize, String timeout, OnTimeout onTimeout) {
    public static final String NAME = "cross_encoder";
    public static final int DEFAULT_MAX_CHUNKS = 8;
    public static final int MAX_MAX_CHUNKS = 64;

    public CrossEncoderRequest {
        fields = fields == null ? List.of() : List.copyOf(fields);
        pooling = pooling == null ? Pooling.MAX : pooling;
        scoreMode = scoreMode == null ? ScoreMode.REPLACE : scoreMode;
        onTimeout = onTimeout == null ? OnTimeout.KEEP_FIRST_STAGE : onTimeout;
        validate(model, queryText, fields, maxLength, stride, maxChunks, scoreMode, firstStageWeight, rerankWeight, firstStageScale,
            minScore, batchSize, timeout);
    }

    /** Parses the rescorer's object; unknown fields and wrong types are errors naming the field. */
    public static CrossEncoderRequest fromMap(Map<String, Object> map) {
        Options o = new Options(NAME, map);
        Integer maxChunks = o.integer("max_chunks");
        CrossEncoderRequest request = new CrossEncoderRequest(o.string("model"), o.string("query_text"), o.strings("fields"),
            o.integer("max_length"), o.integer("stride"), maxChunks == null ? DEFAULT_MAX_CHUNKS : maxChunks,
            o.choice("pooling", Pooling.class), o.choice("score_mode", ScoreMode.class), o.decimal("first_stage_weight"),
            o.decimal("rerank_weight"), o.decimal("first_stage_scale"), Boolean.TRUE.equals(o.bool("ignore_unmapped")),
            o.decimal("min_score"), o.integer("batch_size"), o.string("timeout"), o.choice("on_timeout", OnTimeout.class));
        o.rejectUnknown();
        return request;
    }

    /** The options as the user can send them again: every default the node does not decide is written out. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("query_text", queryText);
        m.put("fields", fields);
        putIfSet(m, "max_length", maxLength);
        putIfSet(m, "stride", stride);
        m.put("max_chunks", maxChunks);
        m.put("pooling", pooling.toString());
        m.put("score_mode", scoreMode.toString());
        putIfSet(m, "first_stage_weight", firstStageWeight);
        putIfSet(m, "rerank_weight", rerankWeight);
        putIfSet(m, "first_stage_scale", firstStageScale);
        if (ignoreUnmapped) {
            m.put("ignore_unmapped", true);
        }
        putIfSet(m, "min_score", minScore);
        putIfSet(m, "batch_size", batchSize);
        putIfSet(m, "timeout", timeout);
        m.put("on_timeout", onTimeout.toString());
        return m;
    }

    public float firstStageWeightOrDefault() {
        return firstStageWeight == null ? 1f : firstStageWeight;
    }

    public float rerankWeightOrDefault() {
        return rerankWeight == null ? 1f : rerankWeight;
    }

    /** {@code combine} only (validated): the first-stage score that counts as half. */
    public float firstStageScaleOrNaN() {
        return firstStageScale == null ? Float.NaN : firstStageScale;
    }

    /** The request's timeout in milliseconds, or {@code defaultMillis} when it sets none. */
    public long timeoutMillis(long defaultMillis) {
        return timeout == null ? defaultMillis : Durations.parseMillis(timeout, "timeout");
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static void validate(String model, String queryText, List<String> fields, Integer maxLength, Integer stride, int maxChunks,
                                 ScoreMode scoreMode, Float firstStageWeight, Float rerankWeight, Float firstStageScale, Float minScore,
                                 Integer batchSize, String timeout) {
        if (model == null || model.isBlank()) {
            throw invalid("requires [model]");
        }
        if (queryText == null || queryText.isBlank()) {
            throw invalid("requires a non-empty [query_text]");
        }
        if (fields.isEmpty()) {
            throw invalid("requires at least one field in [fields]");
        }
        for (String f : fields) {
            if (f == null || f.isBlank()) {
                throw invalid("[fields] cannot contain an empty field name");
            }
        }
        if (maxLength != null && maxLength < 8) {
            throw invalid("[max_length] must be at least 8, got [" + maxLength + "]");
        }
        if (stride != null && stride < 0) {
            throw invalid("[stride] must be >= 0, got [" + stride + "]");
        }
        if (maxChunks < 1 || maxChunks > MAX_MAX_CHUNKS) {
            throw invalid("[max_chunks] must be in [1, " + MAX_MAX_CHUNKS + "], got [" + maxChunks + "]");
        }
        if (batchSize != null && (batchSize < 1 || batchSize > 1024)) {
            throw invalid("[batch_size] must be in [1, 1024], got [" + batchSize + "]");
        }
        if (scoreMode == ScoreMode.REPLACE && (firstStageWeight != null || rerankWeight != null || firstStageScale != null)) {
            throw invalid("[first_stage_weight], [rerank_weight] and [first_stage_scale] apply to [score_mode] [combine] only");
        }
        if (firstStageScale != null && (Float.isFinite(firstStageScale) == false || firstStageScale <= 0)) {
            throw invalid("[first_stage_scale] must be a finite number > 0, got [" + firstStageScale + "]");
        }
        checkWeight("first_stage_weight", firstStageWeight);
        checkWeight("rerank_weight", rerankWeight);
        if (scoreMode == ScoreMode.COMBINE && (firstStageWeight == null ? 1f : firstStageWeight) == 0
            && (rerankWeight == null ? 1f : rerankWeight) == 0) {
            throw invalid("[first_stage_weight] and [rerank_weight] cannot both be 0");
        }
        if (scoreMode == ScoreMode.COMBINE && firstStageScale == null) {
            throw invalid("[score_mode] [combine] requires [first_stage_scale]: the first-stage score that counts as half, the same on "
                + "every shard (e.g. 0.0164 = 1/(60+1) for hybrid_rrf, a typical top score for match)");
        }
        if (minScore != null && Float.isFinite(minScore) == false) {
            throw invalid("[min_score] must be a finite number");
        }
        if (timeout != null) {
            long millis;
            try {
                millis = Durations.parseMillis(timeout, "timeout");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("[" + NAME + "] failed to parse field [timeout]: " + e.getMessage(), e);
            }
            if (millis <= 0) {
                throw invalid("[timeout] must be positive, got [" + timeout + "]");
            }
        }
    }

    private static void checkWeight(String field, Float weight) {
        if (weight != null && (Float.isFinite(weight) == false || weight < 0)) {
            throw invalid("[" + field + "] must be a finite number >= 0, got [" + weight + "]");
        }
    }

    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException("[" + NAME + "] " + message);
    }
}
