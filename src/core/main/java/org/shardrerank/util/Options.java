package org.shardrerank.util;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a request object as both engines hand it over (a map from their JSON parser): typed values, and errors that
 * name the object and the field, e.g. {@code [cross_encoder] failed to parse field [max_length]: ...}. Every read
 * marks the key; {@link #rejectUnknown()} then refuses whatever the user wrote that nothing read.
 */
public final class Options {
    private final String name;
    private final Map<String, Object> values;
    private final Set<String> read = new LinkedHashSet<>();

    public Options(String name, Map<String, Object> values) {
        this.name = name;
        this.values = values;
    }

    public String string(String key) {
        Object v = take(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String text) {
            return text;
        }
        throw failed(key, "expected a string, got " + describe(v));
    }

    public Integer integer(String key) {
        Object v = take(key);
        if (v == null) {
            return null;
        }
        try {
            if (v instanceof Number n) {
                double d = n.doubleValue();
                if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                    return (int) d;
                }
            } else if (v instanceof String s) {
                return Integer.parseInt(s.trim());
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw failed(key, "expected a whole number, got " + describe(v));
    }

    public Float decimal(String key) {
        Object v = take(key);
        if (v == null) {
            return null;
        }
        try {
            if (v instanceof Number n) {
                return n.floatValue();
            } else if (v instanceof String s) {
                return Float.parseFloat(s.trim());
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw failed(key, "expected a number, got " + describe(v));
    }

    public Boolean bool(String key) {
        Object v = take(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if ("true".equals(v) || "false".equals(v)) {
            return Boolean.parseBoolean((String) v);
        }
        throw failed(key, "expected true or false, got " + describe(v));
    }

    /** A list of strings; a single string counts as a list of one. */
    public List<String> strings(String key) {
        Object v = take(key);
        if (v == null) {
            return null;
        }
        Collection<?> items = v instanceof Collection<?> c ? c : List.of(v);
        List<String> out = new ArrayList<>(items.size());
        for (Object item : items) {
            if (item instanceof String || item instanceof Number || item instanceof Boolean) {
                out.add(item.toString());
            } else {
                throw failed(key, "expected strings, got " + describe(item));
            }
        }
        return out;
    }

    /** The object under {@code key} as its own options, named {@code [name] [key]}. */
    @SuppressWarnings("unchecked")
    public Options object(String key) {
        Object v = take(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> m) {
            return new Options(name + " [" + key + "]", (Map<String, Object>) m);
        }
        throw failed(key, "expected an object, got " + describe(v));
    }

    /** An enum by its wire name ({@link WireEnums}). */
    public <E extends Enum<E>> E choice(String key, Class<E> type) {
        String v = string(key);
        if (v == null) {
            return null;
        }
        try {
            return WireEnums.parse(type, v, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[" + name + "] " + e.getMessage(), e);
        }
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Refuses the first key nothing read, as the engines' own parsers do. */
    public void rejectUnknown() {
        for (String key : values.keySet()) {
            if (read.contains(key) == false) {
                throw new IllegalArgumentException("[" + name + "] unknown field [" + key + "]");
            }
        }
    }

    public IllegalArgumentException failed(String key, String why) {
        return new IllegalArgumentException("[" + name + "] failed to parse field [" + key + "]: " + why);
    }

    private Object take(String key) {
        read.add(key);
        return values.get(key);
    }

    private static String describe(Object v) {
        return v instanceof Map ? "an object" : v instanceof Collection ? "an array" : "[" + v + "]";
    }
}
