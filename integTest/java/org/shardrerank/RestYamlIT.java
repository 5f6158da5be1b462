package org.shardrerank;

import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the YAML REST suites in integTest/resources/rest-api-spec/test against the real node, with the API specs of
 * rest-api-spec/api, without an engine's test framework. It supports what the suites use: {@code setup} and
 * {@code teardown} sections; steps {@code skip} (features, see {@link YamlTestSuite#hasFeature}), {@code do} (an api with
 * its parameters and body, a bulk body as a list of lines or one string, {@code headers}, {@code catch}), {@code match}
 * (values, or {@code /regex/} with comments allowed, found in the text), {@code length}, {@code is_true},
 * {@code is_false}, {@code gt}, {@code gte}, {@code lt}, {@code lte}, {@code set}; {@code $name} and {@code ${name}}
 * from the stash in arguments, paths and expected values; {@code _arbitrary_key_} in paths.
 */
@RunWith(Parameterized.class)
public class RestYamlIT extends RerankRestTestCase {
    private static final Map<String, Integer> CATCHES = Map.of("bad_request", 400, "unauthorized", 401, "forbidden", 403, "missing", 404,
        "request_timeout", 408, "conflict", 409, "unavailable", 503);
    private static final Pattern STASHED = Pattern.compile("\\$\\{([^}]+)}");
    private static RestApiSpec specs;

    private final YamlTestSuite.Test test;
    private final Map<String, Object> stash = new HashMap<>();
    /** The last response's body, parsed (a map, a list, or the text when it is not JSON). */
    private Object response;

    public RestYamlIT(String name, YamlTestSuite.Test test) {
        this.test = test;
    }

    @Parameterized.Parameters(name = "{0}")
    public static List<Object[]> parameters() throws IOException {
        List<Object[]> parameters = new ArrayList<>();
        for (YamlTestSuite.Test t : YamlTestSuite.load("rest-api-spec/test")) {
            parameters.add(new Object[] { t.toString(), t });
        }
        return parameters;
    }

    private static synchronized RestApiSpec specs() throws IOException {
        if (specs == null) {
            specs = RestApiSpec.load("rest-api-spec/api");
        }
        return specs;
    }

    @Test
    public void test() throws Exception {
        skipIfLacking(test.setup());
        skipIfLacking(test.steps());
        Throwable failure = null;
        try {
            run(test.setup(), "setup");
            run(test.steps(), "test");
        } catch (Throwable t) {
            failure = t;
        }
        try {
            run(test.teardown(), "teardown");
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            } else {
                failure.addSuppressed(t);
            }
        }
        if (failure instanceof Exception e) {
            throw e;
        } else if (failure instanceof Error e) {
            throw e;
        }
    }

    /** A leading {@code skip} step naming a feature this engine or runner lacks skips the test. */
    @SuppressWarnings("unchecked")
    private static void skipIfLacking(List<Map<String, Object>> steps) {
        for (Map<String, Object> step : steps) {
            Object skip = step.get("skip");
            if (skip == null) {
                continue;
            }
            Map<String, Object> s = (Map<String, Object>) skip;
            for (String key : s.keySet()) {
                if (List.of("features", "reason").contains(key) == false) {
                    throw new AssertionError("skip [" + key + "] is not supported by this runner: " + s);
                }
            }
            Object features = s.getOrDefault("features", List.of());
            for (Object f : features instanceof List<?> l ? l : List.of(features)) {
                Assume.assumeTrue("needs [" + f + "], which " + ENGINE.id() + " or this runner lacks"
                    + (s.containsKey("reason") ? ": " + s.get("reason") : ""), YamlTestSuite.hasFeature((String) f));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void run(List<Map<String, Object>> steps, String section) throws IOException {
        for (int i = 0; i < steps.size(); i++) {
            Map.Entry<String, Object> step = steps.get(i).entrySet().iterator().next();
            String where = section + " step " + (i + 1) + " [" + step.getKey() + "]";
            try {
                switch (step.getKey()) {
                    case "skip" -> {
                        if (i != 0) {
                            throw new AssertionError("skip must be the first step");
                        }
                    }
                    case "do" -> doRequest((Map<String, Object>) step.getValue());
                    case "set" -> ((Map<String, Object>) step.getValue()).forEach((path, name) -> {
                        Object value = evaluate(path);
                        if (value == null) {
                            throw new AssertionError("set: nothing at [" + path + "] in " + response);
                        }
                        stash.put((String) name, value);
                    });
                    case "match", "length", "is_true", "is_false", "gt", "gte", "lt", "lte" -> assertion(step.getKey(), step.getValue());
                    default -> throw new AssertionError("unsupported step [" + step.getKey() + "]");
                }
            } catch (AssertionError e) {
                AssertionError wrapped = new AssertionError(test + ": " + where + ": " + e.getMessage(), e);
                throw wrapped;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void doRequest(Map<String, Object> spec) throws IOException {
        String expectedError = null;
        Map<String, String> headers = new LinkedHashMap<>();
        String api = null;
        Map<String, Object> args = null;
        for (Map.Entry<String, Object> e : spec.entrySet()) {
            switch (e.getKey()) {
                case "catch" -> expectedError = (String) e.getValue();
                case "headers" -> ((Map<String, Object>) e.getValue()).forEach((k, v) -> headers.put(k, String.valueOf(resolve(v))));
                default -> {
                    if (api != null) {
                        throw new AssertionError("do: two apis, [" + api + "] and [" + e.getKey() + "]");
                    }
                    api = e.getKey();
                    args = e.getValue() == null ? new LinkedHashMap<>() : (Map<String, Object>) resolve(e.getValue());
                }
            }
        }
        if (api == null) {
            throw new AssertionError("do: no api in " + spec);
        }
        RestApiSpec.ApiRequest r = specs().request(api, args);
        Map<String, String> sent = new LinkedHashMap<>();
        if (r.body() != null && headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
            sent.put("Content-Type", r.contentType());
        }
        sent.putAll(headers);
        RestResponse answer = request(r.method(), r.path(), r.body(), sent);
        try {
            response = answer.body().isBlank() ? null : parseAny(answer.body());
        } catch (IOException notJson) {
            response = answer.body();
        }
        String call = api + " (" + r.method() + " " + r.path() + ")";
        if (expectedError == null) {
            if (answer.ok() == false) {
                throw new AssertionError(call + " answered " + answer.status() + ": " + answer.body());
            }
            return;
        }
        if (answer.status() < 400) {
            throw new AssertionError(call + " was expected to fail with [" + expectedError + "] but answered " + answer.status() + ": "
                + answer.body());
        }
        if (isRegex(expectedError)) {
            if (find(expectedError, answer.body()) == false) {
                throw new AssertionError(call + ": the error " + answer.body() + " does not match " + expectedError);
            }
        } else if (expectedError.equals("request")) {
            return; // any error
        } else if (CATCHES.containsKey(expectedError) == false) {
            throw new AssertionError("unsupported catch [" + expectedError + "]");
        } else if (CATCHES.get(expectedError) != answer.status()) {
            throw new AssertionError(call + " was expected to fail with [" + expectedError + "] (" + CATCHES.get(expectedError)
                + ") but answered " + answer.status() + ": " + answer.body());
        }
    }

    @SuppressWarnings("unchecked")
    private void assertion(String kind, Object value) {
        for (Map.Entry<String, Object> e : (kind.equals("is_true") || kind.equals("is_false")
            ? Map.<String, Object>of(String.valueOf(value), true)
            : (Map<String, Object>) value).entrySet()) {
            String path = e.getKey();
            Object actual = evaluate(path);
            Object expected = resolve(e.getValue());
            String context = "[" + path + "] is [" + actual + "]";
            switch (kind) {
                case "match" -> {
                    if (expected instanceof String s && isRegex(s)) {
                        assertNotNull(context + ", expected to match " + s, actual);
                        assertTrue(context + ", expected to match " + s, find(s, actual.toString()));
                    } else {
                        assertTrue(context + ", expected [" + expected + "]", same(expected, actual));
                    }
                }
                case "length" -> {
                    int length = actual instanceof List<?> l ? l.size() : actual instanceof Map<?, ?> m ? m.size()
                        : actual instanceof String s ? s.length() : -1;
                    assertTrue(context + ": not a list, map or string", length >= 0);
                    assertEquals(context, ((Number) expected).intValue(), length);
                }
                case "is_true" -> assertFalse(context + ", expected a true value", falsy(actual));
                case "is_false" -> assertTrue(context + ", expected a false value", falsy(actual));
                default -> {
                    assertNotNull(context, actual);
                    int c = compare(actual, expected);
                    boolean ok = switch (kind) {
                        case "gt" -> c > 0;
                        case "gte" -> c >= 0;
                        case "lt" -> c < 0;
                        default -> c <= 0;
                    };
                    assertTrue(context + ", expected " + kind + " [" + expected + "]", ok);
                }
            }
        }
    }

    // ---------------------------------------------------------------- paths, stash, comparisons

    /** The value at a dotted path of the last response ({@code \.} is a dot in a key; {@code $body} or "" the whole). */
    private Object evaluate(String path) {
        if (path.isEmpty() || path.equals("$body")) {
            return response;
        }
        Object current = response;
        for (String raw : path.split("(?<!\\\\)\\.", -1)) {
            String part = raw.replace("\\.", ".");
            if (part.startsWith("$")) {
                part = String.valueOf(resolve(part));
            }
            if (current instanceof Map<?, ?> map) {
                current = part.equals("_arbitrary_key_") ? (map.isEmpty() ? null : map.keySet().iterator().next()) : map.get(part);
            } else if (current instanceof List<?> list) {
                int index;
                try {
                    index = Integer.parseInt(part);
                } catch (NumberFormatException e) {
                    return null;
                }
                current = index >= 0 && index < list.size() ? list.get(index) : null;
            } else {
                return null;
            }
        }
        return current;
    }

    /** Stash references replaced: a whole {@code $name} by the value, {@code ${name}} in text by its text; recursively. */
    private Object resolve(Object value) {
        if (value instanceof String s) {
            if (s.startsWith("$") && s.startsWith("${") == false && s.length() > 1 && s.equals("$body") == false) {
                if (stash.containsKey(s.substring(1)) == false) {
                    throw new AssertionError("nothing stashed as [" + s.substring(1) + "]");
                }
                return stash.get(s.substring(1));
            }
            Matcher m = STASHED.matcher(s);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                if (stash.containsKey(m.group(1)) == false) {
                    throw new AssertionError("nothing stashed as [" + m.group(1) + "]");
                }
                m.appendReplacement(b, Matcher.quoteReplacement(String.valueOf(stash.get(m.group(1)))));
            }
            m.appendTail(b);
            return b.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(resolve(String.valueOf(k))), resolve(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(this::resolve).toList();
        }
        return value;
    }

    private static boolean isRegex(String s) {
        String t = s.trim();
        return t.length() > 1 && t.startsWith("/") && t.endsWith("/");
    }

    /** The engines' regex matching: comments and whitespace allowed in the pattern, found anywhere in the text. */
    private static boolean find(String regex, String text) {
        String t = regex.trim();
        return Pattern.compile(t.substring(1, t.length() - 1), Pattern.COMMENTS).matcher(text).find();
    }

    /** Equal values, numbers compared by value (1 equals 1L and 1.0). */
    private static boolean same(Object expected, Object actual) {
        if (expected instanceof Number a && actual instanceof Number b) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
        }
        if (expected instanceof Map<?, ?> a && actual instanceof Map<?, ?> b) {
            return a.size() == b.size() && a.entrySet().stream().allMatch(e -> b.containsKey(e.getKey()) && same(e.getValue(), b.get(e.getKey())));
        }
        if (expected instanceof List<?> a && actual instanceof List<?> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (same(a.get(i), b.get(i)) == false) {
                    return false;
                }
            }
            return true;
        }
        return expected == null ? actual == null : expected.equals(actual);
    }

    private static int compare(Object actual, Object expected) {
        if (actual instanceof Number a && expected instanceof Number b) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString()));
        }
        return actual.toString().compareTo(expected.toString());
    }

    /** What is_false accepts: null, false, "false", "", 0, "0". */
    private static boolean falsy(Object value) {
        return value == null || Boolean.FALSE.equals(value) || "false".equals(value) || "".equals(value) || "0".equals(value)
            || (value instanceof Number n && n.doubleValue() == 0);
    }
}
