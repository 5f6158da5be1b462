package org.shardrerank.opensearch.pipeline;

import org.opensearch.cluster.metadata.IndexMetadata;
import org.opensearch.cluster.metadata.MappingMetadata;
import org.opensearch.common.regex.Regex;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The field types of one index, read from its mapping: which fields are analysed text. Multi-fields
 * ({@code message.keyword}) and objects are flattened to their dotted paths; an {@code alias} has its target's type.
 */
final class FieldTypes {
    /** Field types whose values are analysed into words: what a text embedding can stand for. */
    static final Set<String> TEXT_TYPES = Set.of("text", "match_only_text", "search_as_you_type");
    private static final String DEFAULT_FIELD = "index.query.default_field";

    private final Map<String, String> types;
    private final List<String> defaultFields;

    FieldTypes(Map<String, String> types, List<String> defaultFields) {
        this.types = types;
        this.defaultFields = defaultFields;
    }

    static FieldTypes of(IndexMetadata index) {
        Map<String, String> types = new HashMap<>();
        Map<String, String> aliases = new HashMap<>();
        MappingMetadata mapping = index.mapping();
        if (mapping != null) {
            collect(mapping.sourceAsMap(), "", types, aliases);
        }
        aliases.forEach((alias, target) -> types.put(alias, types.getOrDefault(target, "alias")));
        return new FieldTypes(Map.copyOf(types), index.getSettings().getAsList(DEFAULT_FIELD, List.of("*")));
    }

    @SuppressWarnings("unchecked")
    private static void collect(Map<String, Object> node, String prefix, Map<String, String> types, Map<String, String> aliases) {
        if (node.get("properties") instanceof Map<?, ?> properties) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) properties).entrySet()) {
                if (e.getValue() instanceof Map<?, ?> field) {
                    String path = prefix + e.getKey();
                    Map<String, Object> f = (Map<String, Object>) field;
                    Object type = f.get("type");
                    if ("alias".equals(type)) {
                        aliases.put(path, String.valueOf(f.get("path")));
                    } else if (type != null) {
                        types.put(path, type.toString());
                    }
                    collect(f, path + ".", types, aliases);
                    if (f.get("fields") instanceof Map<?, ?> multi) {
                        collect(Map.of("properties", multi), path + ".", types, aliases);
                    }
                }
            }
        }
    }

    /**
     * Whether a field name or pattern as a query gives it ({@code title^2}, {@code mes*}, {@code *}) names an analysed
     * text field here; an empty list stands for the index's default fields.
     */
    boolean anyText(List<String> patterns) {
        for (String p : patterns.isEmpty() ? defaultFields : patterns) {
            String pattern = stripBoost(p);
            if (Regex.isSimpleMatchPattern(pattern)) {
                for (Map.Entry<String, String> e : types.entrySet()) {
                    if (TEXT_TYPES.contains(e.getValue()) && Regex.simpleMatch(pattern, e.getKey())) {
                        return true;
                    }
                }
            } else if (types.containsKey(pattern) && TEXT_TYPES.contains(types.get(pattern))) {
                return true;
            }
        }
        return false;
    }

    private static String stripBoost(String field) {
        int caret = field.indexOf('^');
        return caret < 0 ? field : field.substring(0, caret);
    }
}
