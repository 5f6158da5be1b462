package org.shardrerank.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The text a document gives the embedding model (the {@code text_vectors} processor, both engines): its source fields'
 * values, in the configured order, one per line; arrays flattened, empty strings skipped, an object refused.
 */
public final class DocumentText {
    public static final String PROCESSOR = "text_vectors";

    private DocumentText() {}

    /**
     * The text, or null when none of the fields has any.
     *
     * @param value a field's value in the document, or null when the document lacks it (the engine's ingest document)
     */
    public static String of(List<String> fields, Function<String, Object> value) {
        List<String> parts = new ArrayList<>();
        for (String field : fields) {
            collect(field, value.apply(field), parts);
        }
        return parts.isEmpty() ? null : String.join("\n", parts);
    }

    private static void collect(String field, Object value, List<String> parts) {
        if (value == null) {
            return;
        }
        if (value instanceof String s) {
            if (s.isBlank() == false) {
                parts.add(s);
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                collect(field, item, parts);
            }
        } else if (value instanceof Map<?, ?>) {
            throw new IllegalArgumentException("field [" + field + "] is an object; [" + PROCESSOR
                + "] reads text (name the object's text fields instead)");
        } else {
            parts.add(value.toString());
        }
    }
}
