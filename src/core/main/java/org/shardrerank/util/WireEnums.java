package org.shardrerank.util;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Enums as users write them: lowercase names, and one error message naming the field and the choices. */
public final class WireEnums {
    private WireEnums() {}

    public static String wireName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant whose wire name is {@code value}.
     *
     * @param field named in the error, or null when the caller's error already names it
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        for (E constant : type.getEnumConstants()) {
            if (wireName(constant).equals(value)) {
                return constant;
            }
        }
        String choices = Arrays.stream(type.getEnumConstants()).map(WireEnums::wireName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException((field == null ? "" : "[" + field + "] ") + "must be one of [" + choices + "], got [" + value + "]");
    }
}
