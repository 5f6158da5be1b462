package org.shardrerank.opensearch.pipeline;

import org.shardrerank.util.WireEnums;


/** How the pipeline combines the request's own text query with the {@code text_knn} query. */
public enum FirstStage {
    /** Reciprocal rank fusion per shard: the {@code hybrid_rrf} query. */
    HYBRID_RRF,
    /** Score sum of a {@code bool.should}: for clusters without {@code hybrid_rrf}. */
    BOOL;

    public static FirstStage parse(String value) {
        return WireEnums.parse(FirstStage.class, value, null);
    }

    @Override
    public String toString() {
        return WireEnums.wireName(this);
    }
}
