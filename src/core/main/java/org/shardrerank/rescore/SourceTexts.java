package org.shardrerank.rescore;

import java.util.Collection;
import java.util.Map;

/** The text a cross-encoder sees for a document: the values of the request's fields from _source, in the order given, one per line. */
public final class SourceTexts {
    private SourceTexts() {}

    /**
     * Appends a field's value from _source: a string or number as is, arrays element by element, objects skipped (the
     * request names text fields), empty values skipped.
     */
    public static void append(StringBuilder text, Object value) {
        if (value instanceof Collection<?> values) {
            for (Object v : values) {
                append(text, v);
            }
        } else if (value != null && value instanceof Map == false) {
            String s = value.toString();
            if (s.isEmpty() == false) {
                if (text.length() > 0) {
                    text.append('\n');
                }
                text.append(s);
            }
        }
    }
}
