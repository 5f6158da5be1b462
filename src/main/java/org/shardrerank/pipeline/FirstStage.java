package org.shardrerank.pipeline;

import java.util.Locale;

/** How the pipeline combines the request's own text query with the {@code text_knn} query. */
public enum FirstStage {
    /** Reciprocal rank fusion per shard: the {@code hybrid_rrf} query. */
    HYBRID_RRF,
    /** Score sum of a {@code bool.should}: for clusters without {@code hybrid_rrf}. */
    BOOL;

    public static FirstStage parse(String value) {
        for (FirstStage f : values()) {
            if (f.toString().equals(value)) {
                return f;
            }
        }
        throw new IllegalArgumentException("must be one of [hybrid_rrf, bool], got [" + value + "]");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
