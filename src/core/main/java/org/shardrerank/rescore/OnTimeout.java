package org.shardrerank.rescore;

import org.shardrerank.util.WireEnums;


/** What a shard does when inference does not finish within the request's timeout. */
public enum OnTimeout {
    /** Keep the shard's first-stage order and scores. */
    KEEP_FIRST_STAGE,
    /** Fail the shard's part of the request. */
    FAIL;

    public static OnTimeout parse(String value) {
        return WireEnums.parse(OnTimeout.class, value, "on_timeout");
    }

    @Override
    public String toString() {
        return WireEnums.wireName(this);
    }
}
