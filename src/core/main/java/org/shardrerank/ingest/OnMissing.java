package org.shardrerank.ingest;

import org.shardrerank.util.WireEnums;


/** What the {@code text_vectors} processor does with a document that has no text in any of its fields. */
public enum OnMissing {
    /** The document fails (its bulk item reports the error); the rest of the bulk is indexed. */
    FAIL,
    /** The document is indexed without a vector. */
    SKIP;

    public static OnMissing parse(String value) {
        return WireEnums.parse(OnMissing.class, value, null);
    }

    @Override
    public String toString() {
        return WireEnums.wireName(this);
    }
}
