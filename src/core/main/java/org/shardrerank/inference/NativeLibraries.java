package org.shardrerank.inference;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads DJL's native tokenizer the way it needs inside a plugin: offline (its first load would call home),
 * unpacked into one stable folder, and with the plugin's class loader as the thread's context class loader
 * (DJL finds its native library's version file through it; the server's loader cannot see plugin jars).
 */
final class NativeLibraries {
    private NativeLibraries() {}

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    static <T> T withPluginClassLoader(IoSupplier<T> action) throws IOException {
        configure();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(NativeLibraries.class.getClassLoader());
        try {
            return action.get();
        } catch (LinkageError | AssertionError e) {
            // DJL reports a missing or unloadable native library as an Error: keep it from reaching the node's
            // uncaught-exception handler, which would stop the node
            throw new IOException("cannot load the native tokenizer library: " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static synchronized void configure() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "shard-rerank-djl").toString());
        }
    }
}
