package org.shardrerank.rescore;

import org.shardrerank.util.WireEnums;


/** How the model's score and the first-stage score make the final score of a rescored hit. */
public enum ScoreMode {
    /** The model's score alone; the rescored window always stays above the hits outside it. */
    REPLACE,
    /** first_stage_weight x minmax(first stage) + rerank_weight x minmax(model), both over the shard's window. */
    COMBINE;

    public static ScoreMode parse(String value) {
        return WireEnums.parse(ScoreMode.class, value, "score_mode");
    }

    @Override
    public String toString() {
        return WireEnums.wireName(this);
    }
}
