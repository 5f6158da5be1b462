package org.shardrerank.model;

import java.util.Locale;

/** Where a model stands on one node; the wire name is the lowercase enum name. */
public enum ModelState {
    /** Known, not loaded yet: the first request (or the start-up warm-up) loads it. */
    NOT_LOADED,
    LOADED,
    /** The last load failed and nothing serves; requests retry the load after a delay. */
    FAILED,
    /** Unloaded on purpose: requests fail until an explicit load, so memory stays free. */
    UNLOADED,
    /** Its {@code model.json} cannot be read. */
    INVALID,
    /** No folder of that name on this node. */
    MISSING;

    public static ModelState parse(String wireName) {
        return valueOf(wireName.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
