package org.shardrerank.opensearch.pipeline;

import org.opensearch.action.search.SearchRequest;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.IndexMetadata;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.SetOnce;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves a search's index expressions (patterns, aliases, data streams) against the coordinating node's cluster
 * state and reads the field types of the indices they name. Parsed mappings are kept per index and mapping version,
 * so a search does not parse its indices' mappings again (the default fields are a setting, hence the settings version).
 */
public final class TargetMappings {
    private static final int MAX_CACHED = 1024;

    private final SetOnce<ClusterService> clusterService = new SetOnce<>();
    private final SetOnce<IndexNameExpressionResolver> resolver = new SetOnce<>();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(long mappingVersion, long settingsVersion, FieldTypes types) {}

    /** Called once the node's services exist (createComponents); searches come later. */
    public void bind(ClusterService clusterService, IndexNameExpressionResolver resolver) {
        this.clusterService.set(clusterService);
        this.resolver.set(resolver);
    }

    /** The field types of the request's target indices; an exception (unknown index, remote cluster) says why not. */
    TextFields of(SearchRequest request) {
        return of(clusterService.get().state(), resolver.get(), request);
    }

    TextFields of(ClusterState state, IndexNameExpressionResolver resolver, SearchRequest request) {
        String[] names = resolver.concreteIndexNames(state, request);
        List<FieldTypes> types = new ArrayList<>(names.length);
        for (String name : names) {
            types.add(types(state.metadata().index(name)));
        }
        return new TextFields(List.of(names), types);
    }

    private FieldTypes types(IndexMetadata index) {
        String uuid = index.getIndexUUID();
        Cached c = cache.get(uuid);
        if (c == null || c.mappingVersion() != index.getMappingVersion() || c.settingsVersion() != index.getSettingsVersion()) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear(); // deleted indices leave entries behind; a rare full clear bounds them
            }
            c = new Cached(index.getMappingVersion(), index.getSettingsVersion(), FieldTypes.of(index));
            cache.put(uuid, c);
        }
        return c.types();
    }
}
