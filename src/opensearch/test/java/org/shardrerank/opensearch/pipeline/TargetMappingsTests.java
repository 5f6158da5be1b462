package org.shardrerank.opensearch.pipeline;

import org.opensearch.Version;
import org.opensearch.action.search.SearchRequest;
import org.opensearch.cluster.ClusterName;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.AliasMetadata;
import org.opensearch.cluster.metadata.IndexMetadata;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.index.IndexNotFoundException;
import org.opensearch.test.OpenSearchTestCase;

import java.io.IOException;

public class TargetMappingsTests extends OpenSearchTestCase {
    private final IndexNameExpressionResolver resolver = new IndexNameExpressionResolver(new ThreadContext(Settings.EMPTY));

    private static IndexMetadata index(String name, long mappingVersion, String mapping) throws IOException {
        IndexMetadata.Builder b = IndexMetadata.builder(name)
            .settings(Settings.builder().put(IndexMetadata.SETTING_VERSION_CREATED, Version.CURRENT).put(IndexMetadata.SETTING_INDEX_UUID, name))
            .numberOfShards(1).numberOfReplicas(0).mappingVersion(mappingVersion).putMapping(mapping);
        if (name.startsWith("logs-")) {
            b.putAlias(AliasMetadata.builder("logs"));
        }
        return b.build();
    }

    private static ClusterState state(IndexMetadata... indices) {
        Metadata.Builder m = Metadata.builder();
        for (IndexMetadata i : indices) {
            m.put(i, false);
        }
        return ClusterState.builder(ClusterName.DEFAULT).metadata(m).build();
    }

    private static final String LOGS_1 = "{\"properties\":{\"message\":{\"type\":\"text\",\"fields\":{\"raw\":{\"type\":\"keyword\"}}},"
        + "\"level\":{\"type\":\"keyword\"},\"host\":{\"properties\":{\"name\":{\"type\":\"text\"}}},"
        + "\"msg\":{\"type\":\"alias\",\"path\":\"message\"},\"@timestamp\":{\"type\":\"date\"}}}";

    public void testPatternsAndAliasesResolveToTheirIndicesFieldTypes() throws IOException {
        TargetMappings mappings = new TargetMappings();
        ClusterState state = state(index("logs-1", 1, LOGS_1),
            index("logs-2", 1, "{\"properties\":{\"level\":{\"type\":\"text\"}}}"),
            index("other", 1, "{\"properties\":{\"body\":{\"type\":\"text\"}}}"));

        TextFields one = mappings.of(state, resolver, new SearchRequest("logs-1"));
        assertEquals(java.util.List.of("logs-1"), one.indices());
        assertTrue(one.isText("message"));
        assertTrue("objects are flattened", one.isText("host.name"));
        assertTrue("an alias has its target's type", one.isText("msg"));
        assertFalse("a multi-field has its own type", one.isText("message.raw"));
        assertFalse(one.isText("level"));
        assertFalse(one.isText("@timestamp"));
        assertFalse("unmapped", one.isText("body"));

        TextFields pattern = mappings.of(state, resolver, new SearchRequest("logs-*"));
        assertEquals(2, pattern.indices().size());
        assertTrue("level is text in logs-2", pattern.isText("level"));
        TextFields alias = mappings.of(state, resolver, new SearchRequest("logs"));
        assertEquals(pattern.indices().stream().sorted().toList(), alias.indices().stream().sorted().toList());
        assertFalse(mappings.of(state, resolver, new SearchRequest("other")).isText("message"));

        expectThrows(IndexNotFoundException.class, () -> mappings.of(state, resolver, new SearchRequest("nope")));
    }

    public void testAChangedMappingIsReadAgain() throws IOException {
        TargetMappings mappings = new TargetMappings();
        assertFalse(mappings.of(state(index("logs-1", 1, LOGS_1)), resolver, new SearchRequest("logs-1")).isText("level"));
        ClusterState changed = state(index("logs-1", 2, LOGS_1.replace("\"level\":{\"type\":\"keyword\"}", "\"level\":{\"type\":\"text\"}")));
        assertTrue(mappings.of(changed, resolver, new SearchRequest("logs-1")).isText("level"));
    }
}
