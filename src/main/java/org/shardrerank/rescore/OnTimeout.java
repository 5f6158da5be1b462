package org.shardrerank.rescore;

import java.util.Locale;

/** What a shard does when inference does not finish within the request's timeout. */
public enum OnTimeout {
    /** Keep the shard's first-stage order and scores. */
    KEEP_FIRST_STAGE,
    /** Fail the shard's part of the request. */
    FAIL;

    public static OnTimeout parse(String value) {
        for (OnTimeout o : values()) {
            if (o.toString().equals(value)) {
                return o;
            }
        }
        throw new IllegalArgumentException("[on_timeout] must be one of [keep_first_stage, fail], got [" + value + "]");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
