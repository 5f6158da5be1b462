package org.shardrerank.ingest;

import java.util.Locale;

/** What the {@code text_vectors} processor does with a document that has no text in any of its fields. */
public enum OnMissing {
    /** The document fails (its bulk item reports the error); the rest of the bulk is indexed. */
    FAIL,
    /** The document is indexed without a vector. */
    SKIP;

    public static OnMissing parse(String value) {
        for (OnMissing o : values()) {
            if (o.toString().equals(value)) {
                return o;
            }
        }
        throw new IllegalArgumentException("[on_missing] must be one of [fail, skip], got [" + value + "]");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
