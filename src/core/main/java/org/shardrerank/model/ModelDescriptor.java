package org.shardrerank.model;

import org.shardrerank.inference.OutputHead;
import org.shardrerank.inference.VectorPooling;
import org.shardrerank.util.Json;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A model's {@code model.json}: what the files are, how to read the output, where it came from.
 * Parsed strictly: unknown keys, keys of the other model type and missing checksums are errors, so a typo
 * cannot go unnoticed. {@code output} and {@code activation} are set for cross-encoders only, {@code embedding}
 * for text embedding models only.
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
    String license,
    Embedding embedding
) {
    public static final String FILE_NAME = "model.json";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> KEYS = Set.of("name", "type", "model_file", "tokenizer_file", "sha256", "max_length",
        "pad_token_id", "source", "license");
    private static final Set<String> CROSS_ENCODER_KEYS = Set.of("output", "activation");
    private static final Set<String> EMBEDDING_KEYS = Set.of("pooling", "normalize", "dimension", "query_prefix", "document_prefix");
    static final int MAX_DIMENSION = 16_000;

    public enum Type {
        CROSS_ENCODER,
        TEXT_EMBEDDING;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Type parse(String value) {
            for (Type t : values()) {
                if (t.toString().equals(value)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("[type] must be one of [cross_encoder, text_embedding], got [" + value + "]");
        }
    }

    /**
     * How a text embedding model's token states become one vector.
     *
     * @param pooling        which token states make the vector
     * @param normalize      whether the vector is scaled to unit length
     * @param dimension      length of the vector (the model's hidden size)
     * @param queryPrefix    prepended to search texts (BGE v1.5 asks for one), may be empty
     * @param documentPrefix prepended to indexed texts (E5 style models), may be empty
     */
    public record Embedding(VectorPooling pooling, boolean normalize, int dimension, String queryPrefix, String documentPrefix) {}

    /** True when {@code name} is a well-formed model name (no path separators, no dots at the start). */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Why {@code name} is not a model name, in the words every entry point uses; null when it is one. */
    public static String nameError(String name) {
        return validName(name) ? null : "invalid model name [" + name + "]: use lowercase letters, digits, '.', '_' and '-'";
    }

    public static void requireValidName(String name) {
        if (validName(name) == false) {
            throw new IllegalArgumentException(nameError(name));
        }
    }

    public static ModelDescriptor read(Path file) throws IOException {
        Map<String, Object> map;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            map = Json.readObject(in);
        } catch (java.nio.file.NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("[" + FILE_NAME + "] is not valid JSON: " + e.getMessage(), e);
        }
        return parse(map);
    }

    static ModelDescriptor parse(Map<String, Object> map) {
        Type type = Type.parse(string(map, "type", null));
        Set<String> typeKeys = type == Type.CROSS_ENCODER ? CROSS_ENCODER_KEYS : EMBEDDING_KEYS;
        for (String key : map.keySet()) {
            if (KEYS.contains(key) == false && typeKeys.contains(key) == false) {
                boolean otherType = CROSS_ENCODER_KEYS.contains(key) || EMBEDDING_KEYS.contains(key);
                throw new IllegalArgumentException(otherType
                    ? "key [" + key + "] does not apply to models of type [" + type + "] in " + FILE_NAME
                    : "unknown key [" + key + "] in " + FILE_NAME);
            }
        }
        String name = string(map, "name", null);
        if (validName(name) == false) {
            throw new IllegalArgumentException("[name] must match " + NAME.pattern() + ", got [" + name + "]");
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
        Object pad = map.getOrDefault("pad_token_id", 0);
        if (pad instanceof Integer == false || (Integer) pad < 0) {
            throw new IllegalArgumentException("[pad_token_id] must be a non-negative integer, got [" + pad + "]");
        }
        String source = string(map, "source", "");
        String license = string(map, "license", "");
        if (type == Type.TEXT_EMBEDDING) {
            return new ModelDescriptor(name, type, modelFile, tokenizerFile, sha256, (Integer) maxLength, null, null, (Integer) pad,
                source, license, embedding(map));
        }
        OutputHead output = OutputHead.parse(string(map, "output", "logit"));
        OutputHead.Activation activation = OutputHead.Activation.parse(string(map, "activation", "none"));
        if (output == OutputHead.BINARY_SOFTMAX && activation != OutputHead.Activation.NONE) {
            throw new IllegalArgumentException("[activation] applies to [logit] outputs; [binary_softmax] is always a softmax");
        }
        return new ModelDescriptor(name, type, modelFile, tokenizerFile, sha256, (Integer) maxLength, output, activation, (Integer) pad,
            source, license, null);
    }

    private static Embedding embedding(Map<String, Object> map) {
        VectorPooling pooling = VectorPooling.parse(string(map, "pooling", null));
        Object normalize = map.getOrDefault("normalize", Boolean.TRUE);
        if (normalize instanceof Boolean == false) {
            throw new IllegalArgumentException("[normalize] must be true or false, got [" + normalize + "]");
        }
        Object dimension = map.get("dimension");
        if (dimension instanceof Integer == false || (Integer) dimension < 1 || (Integer) dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException("[dimension] must be an integer in [1, " + MAX_DIMENSION + "], got [" + dimension + "]");
        }
        return new Embedding(pooling, (Boolean) normalize, (Integer) dimension, string(map, "query_prefix", ""),
            string(map, "document_prefix", ""));
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
