package org.shardrerank.spike;

import org.apache.lucene.util.SetOnce;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.indices.breaker.BreakerSettings;
import org.elasticsearch.ingest.Processor;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.CircuitBreakerPlugin;
import org.elasticsearch.plugins.IngestPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.SearchPlugin;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.threadpool.ExecutorBuilder;
import org.elasticsearch.threadpool.FixedExecutorBuilder;
import org.elasticsearch.threadpool.ThreadPool;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

public class SpikePlugin extends Plugin implements SearchPlugin, ActionPlugin, IngestPlugin, CircuitBreakerPlugin {
    static final String EXECUTOR = "shard_rerank_inference";
    static final SetOnce<CircuitBreaker> BREAKER = new SetOnce<>();
    private final SetOnce<ThreadPool> threadPool = new SetOnce<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        threadPool.set(services.threadPool());
        NativeModel.probe(services.environment().configDir(),
            ORT_ON_ES_THREAD.get(services.environment().settings()) ? services.threadPool().executor(EXECUTOR) : null);
        String modelsPath = MODELS_PATH.get(services.environment().settings());
        if (modelsPath.isEmpty() == false) {
            Probe.step("c4_read_models_path_setting", () -> {
                java.nio.file.Path p = services.environment().configDir().resolve(modelsPath).resolve("overlap-logit/model.json");
                return java.nio.file.Files.readString(p).length() + " chars from " + p;
            });
        }
        Probe.step("h_es_executor_submit", () -> {
            CountDownLatch done = new CountDownLatch(1);
            String[] name = new String[1];
            services.threadPool().executor(EXECUTOR).execute(() -> {
                name[0] = Thread.currentThread().getName();
                done.countDown();
            });
            return done.await(10, TimeUnit.SECONDS) ? "ran on " + name[0] : "timed out";
        });
        return List.of();
    }

    static final org.elasticsearch.common.settings.Setting<String> MODELS_PATH = org.elasticsearch.common.settings.Setting.simpleString(
        "plugins.shard_rerank.models.path", org.elasticsearch.common.settings.Setting.Property.NodeScope);

    static final org.elasticsearch.common.settings.Setting<Boolean> ORT_ON_ES_THREAD = org.elasticsearch.common.settings.Setting.boolSetting(
        "plugins.shard_rerank.spike.ort_on_es_thread", false, org.elasticsearch.common.settings.Setting.Property.NodeScope);

    @Override
    public List<org.elasticsearch.common.settings.Setting<?>> getSettings() {
        return List.of(MODELS_PATH, ORT_ON_ES_THREAD);
    }

    @Override
    public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
        return List.of(new FixedExecutorBuilder(settings, EXECUTOR, 2, 100, "shard_rerank.inference", EsExecutors.TaskTrackingConfig.DO_NOT_TRACK));
    }

    @Override
    public List<RescorerSpec<?>> getRescorers() {
        return List.of(new RescorerSpec<>(SpikeRescorerBuilder.NAME, SpikeRescorerBuilder::new, SpikeRescorerBuilder::fromXContent));
    }

    @Override
    public List<org.elasticsearch.search.fetch.FetchSubPhase> getFetchSubPhases(FetchPhaseConstructionContext context) {
        return List.of(new SpikeMarkerFetchSubPhase());
    }

    @Override
    public List<QuerySpec<?>> getQueries() {
        return List.of(new QuerySpec<>(SpikeRrfQueryBuilder.NAME, SpikeRrfQueryBuilder::new, SpikeRrfQueryBuilder::fromXContent));
    }

    @Override
    public List<QueryVectorBuilderSpec<?>> getQueryVectorBuilders() {
        return List.of(new QueryVectorBuilderSpec<>(SpikeVectorBuilder.NAME, SpikeVectorBuilder::new, SpikeVectorBuilder::fromXContent));
    }

    @Override
    public Collection<ActionHandler> getActions() {
        return List.of(new ActionHandler(SpikeActions.LOAD, SpikeActions.TransportLoad.class),
            new ActionHandler(SpikeActions.STATS, SpikeActions.TransportStats.class));
    }

    @Override
    public Collection<RestHandler> getRestHandlers(RestHandlersServices services, Supplier<DiscoveryNodes> nodes,
                                                   Predicate<NodeFeature> features) {
        return List.of(new RestSpikeHandler());
    }

    @Override
    public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
        return Map.of(SpikeVectorsProcessor.TYPE, SpikeVectorsProcessor.factory(threadPool::get));
    }

    @Override
    public BreakerSettings getCircuitBreaker(Settings settings) {
        return new BreakerSettings("shard_rerank", 1L << 20, 1.0, CircuitBreaker.Type.MEMORY, CircuitBreaker.Durability.TRANSIENT);
    }

    @Override
    public void setCircuitBreaker(CircuitBreaker circuitBreaker) {
        BREAKER.set(circuitBreaker);
    }
}
