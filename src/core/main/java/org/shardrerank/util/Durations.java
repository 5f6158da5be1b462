package org.shardrerank.util;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as both engines write them in requests: a number and a unit ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}). */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*(nanos|micros|ms|s|m|h|d)");
    private static final Map<String, Double> MILLIS = Map.of("nanos", 1e-6, "micros", 1e-3, "ms", 1.0, "s", 1e3, "m", 6e4,
        "h", 3.6e6, "d", 8.64e7);

    private Durations() {}

    /** Milliseconds of {@code value}, rounded up (negative when it is); the error names {@code field}. */
    public static long parseMillis(String value, String field) {
        Matcher m = FORM.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (m.matches() == false) {
            throw new IllegalArgumentException("[" + field + "] must be a duration with a unit (e.g. 500ms, 10s, 1m), got [" + value + "]");
        }
        return (long) Math.ceil(Double.parseDouble(m.group(1)) * MILLIS.get(m.group(2)));
    }
}
