package org.shardrerank.elasticsearch;

import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.injection.guice.Inject;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.rest.RestHandler;
import org.junit.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The wiring a node checks only at boot: the actions the injector builds, and the REST routes. */
public class ShardRerankPluginTests extends EsTestCase {

    /** The injector refuses (and the node dies at boot on) a transport action it cannot reach: public class, public @Inject constructor. */
    @Test
    public void testTransportActionsAreInjectable() {
        ShardRerankPlugin plugin = new ShardRerankPlugin(Settings.EMPTY, createTempDir());
        Set<String> names = new TreeSet<>();
        for (ActionPlugin.ActionHandler handler : plugin.getActions()) {
            names.add(handler.getAction().name());
            Class<?> type = handler.getTransportAction();
            for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
                assertTrue(c + " must be public", Modifier.isPublic(c.getModifiers()));
            }
            assertFalse(type + " is abstract", Modifier.isAbstract(type.getModifiers()));
            Constructor<?>[] injected = List.of(type.getConstructors()).stream().filter(k -> k.isAnnotationPresent(Inject.class))
                .toArray(Constructor<?>[]::new);
            assertEquals(type + " needs one public @Inject constructor", 1, injected.length);
        }
        assertEquals(Set.of("cluster:monitor/shard_rerank/stats", "cluster:monitor/shard_rerank/models",
            "cluster:admin/shard_rerank/models/load", "cluster:admin/shard_rerank/models/unload",
            "cluster:admin/shard_rerank/models/reload"), names);
    }

    @Test
    public void testRestRoutes() {
        ShardRerankPlugin plugin = new ShardRerankPlugin(Settings.EMPTY, createTempDir());
        Set<String> routes = new TreeSet<>();
        for (RestHandler handler : plugin.getRestHandlers(new ActionPlugin.RestHandlersServices(Settings.EMPTY, null, null, null), () -> null,
            feature -> true)) {
            handler.routes().forEach(r -> routes.add(r.getMethod() + " " + r.getPath()));
        }
        assertEquals(new TreeSet<>(List.of("GET /_shard_rerank/stats", "GET /_shard_rerank/{nodeId}/stats", "GET /_shard_rerank/models",
            "GET /_shard_rerank/{nodeId}/models", "POST /_shard_rerank/models/{name}/_load", "POST /_shard_rerank/models/{name}/_unload",
            "POST /_shard_rerank/models/{name}/_reload")), routes);
    }
}
