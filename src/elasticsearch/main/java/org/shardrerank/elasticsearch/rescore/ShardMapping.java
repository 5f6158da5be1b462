package org.shardrerank.elasticsearch.rescore;

import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.common.xcontent.support.XContentMapValues;
import org.elasticsearch.index.mapper.FieldMapper;
import org.elasticsearch.index.mapper.MappingLookup;
import org.elasticsearch.index.mapper.SourceFieldMapper;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentType;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.shardrerank.rescore.FieldChecks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * A shard's mapping as the core's field checks ask about it. A field counts as kept in _source only when its values sit at
 * its own path there: a concrete field (not a runtime field, an alias or a multi-field, whose values _source does not hold
 * under that name) that the mapping's {@code _source.includes/excludes} keep.
 */
final class ShardMapping implements FieldChecks.Mapping {
    private final SearchExecutionContext shard;
    private String[][] sourceFilter;

    ShardMapping(SearchExecutionContext shard) {
        this.shard = shard;
    }

    @Override
    public String index() {
        return shard.index().getName();
    }

    @Override
    public boolean sourceEnabled() {
        return shard.isSourceEnabled();
    }

    @Override
    public boolean isObject(String field) {
        return shard.getMappingLookup().objectMappers().containsKey(field);
    }

    @Override
    public String typeName(String field) {
        return shard.isFieldMapped(field) ? shard.getFieldType(field).typeName() : null;
    }

    @Override
    public boolean keptInSource(String field) {
        MappingLookup lookup = shard.getMappingLookup();
        if (lookup.getMapper(field) instanceof FieldMapper == false || lookup.isMultiField(field)) {
            return false;
        }
        if (sourceFilter == null) {
            sourceFilter = sourceFilter(lookup.getMapping().getMetadataMapperByClass(SourceFieldMapper.class));
        }
        return keptBy(field, sourceFilter[0], sourceFilter[1]);
    }

    /** Whether {@code _source} filtering with these includes and excludes keeps the field's values. */
    static boolean keptBy(String field, String[] includes, String[] excludes) {
        return XContentMapValues.filter(Map.of(field, "x"), includes, excludes).isEmpty() == false;
    }

    /**
     * The mapping's {@code _source} includes and excludes, as it renders them (the mapper has no getters for them): only
     * what was configured.
     */
    static String[][] sourceFilter(SourceFieldMapper source) {
        if (source == null) {
            return new String[][] { new String[0], new String[0] };
        }
        try {
            XContentBuilder builder = JsonXContent.contentBuilder().startObject();
            source.toXContent(builder, ToXContent.EMPTY_PARAMS);
            Map<String, Object> rendered = XContentHelper.convertToMap(BytesReference.bytes(builder.endObject()), false, XContentType.JSON)
                .v2();
            Object options = rendered.get(source.leafName());
            Map<?, ?> map = options instanceof Map<?, ?> m ? m : Map.of();
            return new String[][] { strings(map.get("includes")), strings(map.get("excludes")) };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String[] strings(Object value) {
        return value instanceof List<?> list ? list.stream().map(String::valueOf).toArray(String[]::new) : new String[0];
    }
}
