package org.shardrerank.opensearch.pipeline;

import java.util.List;

/**
 * The field types of every index a search targets. A field counts as analysed text when it is text in at least
 * one of them: a field that is {@code keyword}, numeric, a date or unmapped everywhere is not.
 */
record TextFields(List<String> indices, List<FieldTypes> types) {

    boolean anyText(List<String> fieldPatterns) {
        for (FieldTypes t : types) {
            if (t.anyText(fieldPatterns)) {
                return true;
            }
        }
        return false;
    }

    boolean isText(String field) {
        return anyText(List.of(field));
    }
}
