package org.shardrerank.elasticsearch.ingest;

import org.elasticsearch.ingest.IngestDocument;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The text a document gives the model: its source fields' values, in the configured order, one per line. */
final class DocumentText {
    private DocumentText() {}

    /** The text, or null when none of the fields has any. */
    static String of(IngestDocument doc, List<String> fields) {
        List<String> parts = new ArrayList<>();
        for (String field : fields) {
            if (doc.hasField(field) == false) {
                continue;
            }
            collect(field, doc.getFieldValue(field, Object.class), parts);
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
            throw new IllegalArgumentException("field [" + field + "] is an object; [" + TextVectorsProcessor.TYPE
                + "] reads text (name the object's text fields instead)");
        } else {
            parts.add(value.toString());
        }
    }
}
