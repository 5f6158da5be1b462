package org.shardrerank.rescore;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every field the model reads must be a text field the index maps and keeps in _source: otherwise every document would be
 * scored as an empty text, silently. With [ignore_unmapped] a field the index does not map is skipped (searches over
 * indices with different mappings); at least one field must remain. The engine adapters answer the questions about the
 * mapping ({@link Mapping}); the rules live here.
 */
public final class FieldChecks {
    static final Set<String> TEXT_TYPES = new TreeSet<>(List.of("text", "match_only_text", "keyword", "wildcard",
        "constant_keyword", "search_as_you_type"));

    /** What a shard's mapping says about a field. */
    public interface Mapping {
        String index();

        /** False when the index does not keep _source at all. */
        boolean sourceEnabled();

        boolean isObject(String field);

        /** The mapped type's name, or null when the index does not map the field. */
        String typeName(String field);

        /** Whether _source includes/excludes keep the field. */
        boolean keptInSource(String field);
    }

    private FieldChecks() {}

    public static void check(CrossEncoderRequest request, Mapping mapping) {
        String name = CrossEncoderRequest.NAME;
        String index = mapping.index();
        if (mapping.sourceEnabled() == false) {
            throw new IllegalArgumentException("[" + name + "] index [" + index + "] has _source disabled; the model reads its fields from _source");
        }
        int mapped = 0;
        for (String field : request.fields()) {
            if (mapping.isObject(field)) {
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is an object; name its text fields");
            }
            String type = mapping.typeName(field);
            if (type == null) {
                if (request.ignoreUnmapped()) {
                    continue;
                }
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is not mapped in index [" + index
                    + "] (set [ignore_unmapped] to skip fields that only some indices map)");
            }
            if (TEXT_TYPES.contains(type) == false) {
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is of type [" + type
                    + "]; the model reads text fields " + TEXT_TYPES);
            }
            if (mapping.keptInSource(field) == false) {
                throw new IllegalArgumentException("[" + name + "] field [" + field + "] is excluded from _source in index [" + index
                    + "]; the model reads its fields from _source");
            }
            mapped++;
        }
        if (mapped == 0) {
            throw new IllegalArgumentException("[" + name + "] none of the fields " + request.fields() + " is mapped in index [" + index + "]");
        }
    }
}
