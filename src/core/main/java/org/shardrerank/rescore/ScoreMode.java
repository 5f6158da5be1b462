package org.shardrerank.rescore;

import org.shardrerank.util.WireEnums;


/** How the model's score and the first-stage score make the final score of a rescored hit. */
public enum ScoreMode {
    /** The model's score alone. */
    REPLACE,
    /** first_stage_weight x s / (s + first_stage_scale) + rerank_weight x the model's probability: the same on every shard. */
    COMBINE;

    public static ScoreMode parse(String value) {
        return WireEnums.parse(ScoreMode.class, value, "score_mode");
    }

    @Override
    public String toString() {
        return WireEnums.wireName(this);
    }
}
