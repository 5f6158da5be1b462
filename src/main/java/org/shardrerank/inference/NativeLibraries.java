package org.shardrerank.inference;

import java.nio.file.Path;

/** Keeps DJL offline (its first load would call home) and its native library in one stable folder. */
final class NativeLibraries {
    private NativeLibraries() {}

    static synchronized void configure() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "shard-rerank-djl").toString());
        }
    }
}
