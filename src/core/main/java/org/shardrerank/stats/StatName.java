package org.shardrerank.stats;

import java.util.Locale;

/** The counters a node keeps; the wire name is the lowercase enum name. */
public enum StatName {
    RESCORE_REQUESTS,
    RESCORE_FAILURES,
    RESCORE_TIMEOUTS,
    RESCORE_FALLBACKS,
    RESCORE_REJECTIONS,
    RESCORE_CANCELLATIONS,
    RESCORE_BREAKER_TRIPS,
    PAIRS,
    CHUNKS,
    BATCHES,
    TOKENS,
    PADDED_TOKENS,
    INFERENCE_MILLIS,
    EMBEDDING_REQUESTS,
    EMBEDDING_FAILURES,
    EMBEDDING_REJECTIONS,
    EMBEDDING_BREAKER_TRIPS,
    EMBEDDED_TEXTS,
    EMBEDDING_TOKENS,
    EMBEDDING_MILLIS,
    QUERY_VECTOR_CACHE_HITS,
    MODEL_LOAD_FAILURES;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
