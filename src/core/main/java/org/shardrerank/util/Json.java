package org.shardrerank.util;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.ToNumberStrategy;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.util.Map;

/** Reads the plugin's own JSON files (model.json) without an engine: objects as ordered maps, whole numbers as Integer or Long. */
public final class Json {
    private static final ToNumberStrategy NUMBERS = in -> {
        BigDecimal value = new BigDecimal(in.nextString());
        if (value.stripTrailingZeros().scale() <= 0) {
            try {
                long whole = value.longValueExact();
                return whole == (int) whole ? (Number) Integer.valueOf((int) whole) : Long.valueOf(whole);
            } catch (ArithmeticException tooLarge) {
                return value.doubleValue();
            }
        }
        return value.doubleValue();
    };
    private static final Gson GSON = new GsonBuilder().setObjectToNumberStrategy(NUMBERS).create();

    private Json() {}

    /** The JSON object in {@code json}. */
    public static Map<String, Object> parseObject(String json) throws IOException {
        return readObject(new java.io.StringReader(json));
    }

    /** The JSON object in {@code in}; anything else (an array, a syntax error, trailing text) is an IOException. */
    public static Map<String, Object> readObject(Reader in) throws IOException {
        try {
            JsonReader reader = GSON.newJsonReader(in);
            Map<String, Object> map = GSON.fromJson(reader, new TypeToken<Map<String, Object>>() {}.getType());
            if (map == null || reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new IOException("expected one JSON object");
            }
            return map;
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
