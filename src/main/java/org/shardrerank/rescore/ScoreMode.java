package org.shardrerank.rescore;

import java.util.Locale;

/** How the model's score and the first-stage score make the final score of a rescored hit. */
public enum ScoreMode {
    /** The model's score alone; the rescored window always stays above the hits outside it. */
    REPLACE,
    /** first_stage_weight x minmax(first stage) + rerank_weight x minmax(model), both over the shard's window. */
    COMBINE;

    public static ScoreMode parse(String value) {
        for (ScoreMode m : values()) {
            if (m.toString().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("[score_mode] must be one of [replace, combine], got [" + value + "]");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
