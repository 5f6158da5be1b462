package org.shardrerank.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Takes absolute paths out of messages that reach API responses (load failures, device fallback reasons): a path
 * inside the models folder becomes relative to it, any other absolute path keeps only its file name. The node's
 * log keeps the full message.
 */
public final class PathRedaction {
    /** An absolute Unix path: starts at a slash that does not follow a word, a dot, a colon or another slash (URLs). */
    private static final Pattern UNIX = Pattern.compile("(?<![\\w.~:/-])/(?:[^/\\s\\[\\]'\"(),;]+/)*([^/\\s\\[\\]'\"(),;]+)");
    private static final Pattern WINDOWS = Pattern.compile("\\b[A-Za-z]:\\\\(?:[^\\\\\\s\\[\\]'\"(),;]+\\\\)*([^\\\\\\s\\[\\]'\"(),;]+)");

    private PathRedaction() {}

    public static String redact(String message, Path modelsRoot) {
        if (message == null) {
            return null;
        }
        String out = message;
        for (Path p : forms(modelsRoot)) {
            out = out.replace(p + p.getFileSystem().getSeparator(), "");
        }
        out = UNIX.matcher(out).replaceAll("$1");
        return WINDOWS.matcher(out).replaceAll("$1");
    }

    private static Path[] forms(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        try {
            return new Path[] { absolute.toRealPath(), absolute };
        } catch (IOException e) {
            return new Path[] { absolute };
        }
    }
}
