package org.shardrerank.model;

import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.shardrerank.inference.OutputHead;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A model's {@code model.json}: what the files are, how to read the output, where it came from.
 * Parsed strictly: unknown keys and missing checksums are errors, so a typo cannot go unnoticed.
 */
public record ModelDescriptor(
    String name,
    Type type,
    String modelFile,
    String tokenizerFile,
    Map<String, String> sha256,
    int maxLength,
    OutputHead output,
    OutputHead.Activation activation,
    long padTokenId,
    String source,
    String license
) {
    public static final String FILE_NAME = "model.json";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> KEYS = Set.of("name", "type", "model_file", "tokenizer_file", "sha256", "max_length",
        "output", "activation", "pad_token_id", "source", "license");

    public enum Type {
        CROSS_ENCODER;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** True when {@code name} is a well-formed model name (no path separators, no dots at the start). */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static ModelDescriptor read(Path file) throws IOException {
        Map<String, Object> map;
        try (InputStream in = Files.newInputStream(file)) {
            map = XContentHelper.convertToMap(JsonXContent.jsonXContent, in, true);
        } catch (RuntimeException e) {
            throw new IOException("[" + FILE_NAME + "] is not valid JSON: " + e.getMessage(), e);
        }
        return parse(map);
    }

    static ModelDescriptor parse(Map<String, Object> map) {
        for (String key : map.keySet()) {
            if (KEYS.contains(key) == false) {
                throw new IllegalArgumentException("unknown key [" + key + "] in " + FILE_NAME);
            }
        }
        String name = string(map, "name", null);
        if (validName(name) == false) {
            throw new IllegalArgumentException("[name] must match " + NAME.pattern() + ", got [" + name + "]");
        }
        String type = string(map, "type", null);
        if (Type.CROSS_ENCODER.toString().equals(type) == false) {
            throw new IllegalArgumentException("[type] must be [cross_encoder], got [" + type + "]");
        }
        String modelFile = string(map, "model_file", null);
        String tokenizerFile = string(map, "tokenizer_file", null);
        Map<String, String> sha256 = checksums(map.get("sha256"));
        for (String f : new String[] { modelFile, tokenizerFile }) {
            if (sha256.containsKey(f) == false) {
                throw new IllegalArgumentException("[sha256] has no checksum for [" + f + "]");
            }
        }
        Object maxLength = map.get("max_length");
        if (maxLength instanceof Integer == false || (Integer) maxLength < 8 || (Integer) maxLength > 8192) {
            throw new IllegalArgumentException("[max_length] must be an integer in [8, 8192], got [" + maxLength + "]");
        }
        OutputHead output = OutputHead.parse(string(map, "output", "logit"));
        OutputHead.Activation activation = OutputHead.Activation.parse(string(map, "activation", "none"));
        if (output == OutputHead.BINARY_SOFTMAX && activation != OutputHead.Activation.NONE) {
            throw new IllegalArgumentException("[activation] applies to [logit] outputs; [binary_softmax] is always a softmax");
        }
        Object pad = map.getOrDefault("pad_token_id", 0);
        if (pad instanceof Integer == false || (Integer) pad < 0) {
            throw new IllegalArgumentException("[pad_token_id] must be a non-negative integer, got [" + pad + "]");
        }
        return new ModelDescriptor(name, Type.CROSS_ENCODER, modelFile, tokenizerFile, sha256, (Integer) maxLength, output,
            activation, (Integer) pad, string(map, "source", ""), string(map, "license", ""));
    }

    private static String string(Map<String, Object> map, String key, String defaultValue) {
        Object v = map.get(key);
        if (v == null) {
            if (defaultValue == null) {
                throw new IllegalArgumentException("[" + key + "] is required in " + FILE_NAME);
            }
            return defaultValue;
        }
        if (v instanceof String == false) {
            throw new IllegalArgumentException("[" + key + "] must be a string, got [" + v + "]");
        }
        return (String) v;
    }

    private static Map<String, String> checksums(Object value) {
        if (value instanceof Map<?, ?> == false) {
            throw new IllegalArgumentException("[sha256] must be an object of file name to checksum");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (e.getValue() instanceof String == false || SHA256.matcher((String) e.getValue()).matches() == false) {
                throw new IllegalArgumentException("[sha256." + e.getKey() + "] must be 64 lowercase hex digits");
            }
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return out;
    }
}
