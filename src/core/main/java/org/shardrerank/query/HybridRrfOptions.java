package org.shardrerank.query;

import java.util.List;

/**
 * The rules of {@code hybrid_rrf}'s own options, the same in both engines: their builders parse the DSL (its sub-queries
 * are each engine's query builders) and hand the numbers here. Messages name the field.
 */
public final class HybridRrfOptions {
    public static final String NAME = "hybrid_rrf";

    private HybridRrfOptions() {}

    /** Checks what the request alone can tell. */
    public static void validate(int queries, List<Float> weights, int rankConstant, int windowSize) {
        if (queries < 2) {
            throw invalid("requires at least 2 queries in [queries], got [" + queries + "]");
        }
        if (rankConstant < 1) {
            throw invalid("[rank_constant] must be >= 1, got [" + rankConstant + "]");
        }
        if (windowSize < 1) {
            throw invalid("[window_size] must be >= 1, got [" + windowSize + "]");
        }
        if (weights != null) {
            if (weights.size() != queries) {
                throw invalid("[weights] needs one weight per query: got [" + weights.size() + "] weights for [" + queries + "] queries");
            }
            for (int i = 0; i < weights.size(); i++) {
                float w = weights.get(i);
                if (Float.isFinite(w) == false || w <= 0) {
                    throw invalid("[weights] must be finite numbers > 0, got [" + w + "] at position [" + i + "]");
                }
            }
        }
    }

    /** Checks the window against the shard's index, whose top hits are what each sub-query can return at most. */
    public static void checkWindow(int windowSize, int maxResultWindow, String index) {
        if (windowSize > maxResultWindow) {
            throw invalid("[window_size] must be <= [index.max_result_window] of index [" + index + "] (" + maxResultWindow + "), got ["
                + windowSize + "]");
        }
    }

    /** One weight per sub-query: the given ones, or 1 each. */
    public static float[] weights(List<Float> weights, int queries) {
        float[] w = new float[queries];
        for (int i = 0; i < queries; i++) {
            w[i] = weights == null ? 1f : weights.get(i);
        }
        return w;
    }

    public static IllegalArgumentException nested() {
        return invalid("cannot contain another [" + NAME + "] query");
    }

    private static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException("[" + NAME + "] " + message);
    }
}
