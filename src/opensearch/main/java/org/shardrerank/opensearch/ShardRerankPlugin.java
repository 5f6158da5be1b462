package org.shardrerank.opensearch;

import org.opensearch.action.ActionRequest;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.cluster.node.DiscoveryNodes;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.SetOnce;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.IndexScopedSettings;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.settings.SettingsFilter;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.env.Environment;
import org.opensearch.env.NodeEnvironment;
import org.opensearch.indices.breaker.BreakerSettings;
import org.opensearch.ingest.Processor;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.CircuitBreakerPlugin;
import org.opensearch.plugins.IngestPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPipelinePlugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.repositories.RepositoriesService;
import org.opensearch.rest.RestController;
import org.opensearch.rest.RestHandler;
import org.opensearch.script.ScriptService;
import org.opensearch.search.pipeline.SearchRequestProcessor;
import org.opensearch.search.fetch.FetchSubPhase;
import org.opensearch.threadpool.ExecutorBuilder;
import org.opensearch.threadpool.FixedExecutorBuilder;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.client.Client;
import org.opensearch.watcher.ResourceWatcherService;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.inference.MemoryBudget;
import org.shardrerank.opensearch.util.BreakerBudget;
import org.shardrerank.rescore.RescorePlanner;
import org.shardrerank.settings.SettingSpecs;
import org.opensearch.common.settings.ClusterSettings;
import org.shardrerank.opensearch.action.ModelAction;
import org.shardrerank.opensearch.action.ModelOperation;
import org.shardrerank.opensearch.action.ModelsAction;
import org.shardrerank.opensearch.action.NodeStatsAction;
import org.shardrerank.opensearch.action.TransportModelAction;
import org.shardrerank.opensearch.action.TransportModelsAction;
import org.shardrerank.opensearch.action.TransportNodeStatsAction;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.inference.InferenceScheduler;
import org.shardrerank.opensearch.rescore.RescoreSearchListener;
import org.opensearch.index.IndexModule;
import org.shardrerank.opensearch.ingest.TextVectorsProcessor;
import org.shardrerank.opensearch.ingest.TextVectorsProcessorFactory;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.opensearch.pipeline.TextHybridRerankProcessor;
import org.shardrerank.opensearch.pipeline.TextHybridRerankProcessorFactory;
import org.shardrerank.opensearch.pipeline.TargetMappings;
import org.shardrerank.opensearch.query.TextKnnQueryBuilder;
import org.shardrerank.opensearch.query.HybridRrfQueryBuilder;
import org.shardrerank.opensearch.rescore.CrossEncoderRescorerBuilder;
import org.shardrerank.opensearch.rescore.FallbackFetchSubPhase;
import org.shardrerank.opensearch.rescore.RescoreContextFactory;
import org.shardrerank.opensearch.rest.RestModelOperationAction;
import org.shardrerank.opensearch.rest.RestModelsAction;
import org.shardrerank.opensearch.rest.RestStatsAction;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.stats.StatName;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Wiring only: settings, thread pool, circuit breaker, rescorer, queries, ingest and search pipeline processors, actions,
 * REST handlers.
 */
public class ShardRerankPlugin extends Plugin implements SearchPlugin, ActionPlugin, IngestPlugin, SearchPipelinePlugin,
    CircuitBreakerPlugin {
    /** The breaker's charges are byte estimates already. */
    private static final double BREAKER_OVERHEAD = 1.0;

    private final Settings settings;
    private final RerankStats stats;
    private final InferenceEnvironment inference;
    private final ModelRegistry models;
    private final RescoreContextFactory rescoreContexts;
    private final EmbeddingService embeddings;
    private final TargetMappings targetMappings = new TargetMappings();
    private final SetOnce<CircuitBreaker> breaker = new SetOnce<>();

    public ShardRerankPlugin(Settings settings, Path configPath) {
        this.settings = settings;
        this.inference = new InferenceEnvironment(
            PluginSettings.DEVICE.get(settings) == SettingSpecs.Device.CUDA,
            PluginSettings.CUDA_DEVICE_ID.get(settings),
            PluginSettings.INTRA_OP_THREADS.get(settings));
        this.stats = new RerankStats(this::isKnownModel);
        String modelsPath = PluginSettings.MODELS_PATH.get(settings);
        Path root = modelsPath.isEmpty() ? configPath.resolve("shard-rerank").resolve("models") : configPath.resolve(modelsPath);
        this.models = new ModelRegistry(root.normalize(), inference, System::currentTimeMillis,
            model -> stats.increment(model, StatName.MODEL_LOAD_FAILURES));
        this.rescoreContexts = new RescoreContextFactory(new RescorePlanner(models, stats));
        this.embeddings = new EmbeddingService(models, stats, PluginSettings.EMBEDDING_QUERY_CACHE_SIZE.get(settings),
            PluginSettings.EMBEDDING_BATCH_SIZE.get(settings), PluginSettings.MAX_BATCH_TOKENS.get(settings));
    }

    private boolean isKnownModel(String name) {
        return models.isKnown(name);
    }

    @Override
    public List<Setting<?>> getSettings() {
        return PluginSettings.all();
    }

    @Override
    public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        return List.of(new FixedExecutorBuilder(settings, SettingSpecs.INFERENCE_POOL, threads, SettingSpecs.INFERENCE_QUEUE_SIZE,
            SettingSpecs.INFERENCE_POOL_PREFIX));
    }

    @Override
    public BreakerSettings getCircuitBreaker(Settings settings) {
        return new BreakerSettings(SettingSpecs.BREAKER_NAME, PluginSettings.BREAKER_LIMIT.get(settings).getBytes(), BREAKER_OVERHEAD,
            CircuitBreaker.Type.MEMORY, CircuitBreaker.Durability.TRANSIENT);
    }

    /** Called by the node before {@link #createComponents}. */
    @Override
    public void setCircuitBreaker(CircuitBreaker circuitBreaker) {
        breaker.set(circuitBreaker);
    }

    @Override
    public Collection<Object> createComponents(Client client, ClusterService clusterService, ThreadPool threadPool,
                                               ResourceWatcherService resourceWatcherService, ScriptService scriptService,
                                               NamedXContentRegistry xContentRegistry, Environment environment,
                                               NodeEnvironment nodeEnvironment, NamedWriteableRegistry namedWriteableRegistry,
                                               IndexNameExpressionResolver indexNameExpressionResolver,
                                               Supplier<RepositoriesService> repositoriesServiceSupplier) {
        CircuitBreaker inferenceBreaker = breaker.get();
        // our own setting, not the core's breaker.shard_rerank.limit: that one resets the overhead to 2 unless both are set
        clusterService.getClusterSettings().addSettingsUpdateConsumer(PluginSettings.BREAKER_LIMIT,
            limit -> inferenceBreaker.setLimitAndOverhead(limit.getBytes(), BREAKER_OVERHEAD));
        ThreadPool.Info pool = threadPool.info(SettingSpecs.INFERENCE_POOL);
        InferenceScheduler scheduler = new InferenceScheduler(threadPool.executor(SettingSpecs.INFERENCE_POOL), pool.getMax(),
            (int) pool.getQueueSize().singles());
        MemoryBudget budget = new BreakerBudget(inferenceBreaker);
        ClusterSettings clusterSettings = clusterService.getClusterSettings();
        rescoreContexts.bind(scheduler, budget, clusterSettings);
        embeddings.bind(scheduler, budget);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.EMBEDDING_BATCH_SIZE, embeddings::rowsPerRun);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_BATCH_TOKENS, embeddings::maxBatchTokens);
        targetMappings.bind(clusterService, indexNameExpressionResolver);
        models.warmUp(threadPool.generic());
        return List.of(models, stats);
    }

    @Override
    public void onIndexModule(IndexModule indexModule) {
        indexModule.addSearchOperationListener(new RescoreSearchListener());
    }

    @Override
    public List<RescorerSpec<?>> getRescorers() {
        return List.of(new RescorerSpec<>(CrossEncoderRescorerBuilder.NAME,
            in -> new CrossEncoderRescorerBuilder(in, rescoreContexts),
            parser -> CrossEncoderRescorerBuilder.fromXContent(parser, rescoreContexts)));
    }

    @Override
    public List<FetchSubPhase> getFetchSubPhases(FetchPhaseConstructionContext context) {
        return List.of(new FallbackFetchSubPhase());
    }

    @Override
    public List<QuerySpec<?>> getQueries() {
        return List.of(
            new QuerySpec<>(HybridRrfQueryBuilder.NAME, HybridRrfQueryBuilder::new, HybridRrfQueryBuilder::fromXContent),
            new QuerySpec<>(TextKnnQueryBuilder.NAME, in -> new TextKnnQueryBuilder(in, embeddings),
                parser -> TextKnnQueryBuilder.fromXContent(parser, embeddings)));
    }

    @Override
    public Map<String, Processor.Factory> getProcessors(Processor.Parameters parameters) {
        return Map.of(TextVectorsProcessor.TYPE, new TextVectorsProcessorFactory(embeddings));
    }

    @Override
    public Map<String, org.opensearch.search.pipeline.Processor.Factory<SearchRequestProcessor>> getRequestProcessors(
        SearchPipelinePlugin.Parameters parameters) {
        return Map.of(TextHybridRerankProcessor.TYPE,
            new TextHybridRerankProcessorFactory(parameters.namedXContentRegistry, parameters.threadContext, targetMappings));
    }

    @Override
    public List<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
        return List.of(new ActionHandler<>(NodeStatsAction.INSTANCE, TransportNodeStatsAction.class),
            new ActionHandler<>(ModelsAction.INSTANCE, TransportModelsAction.class),
            new ActionHandler<>(ModelAction.LOAD, TransportModelAction.Load.class),
            new ActionHandler<>(ModelAction.UNLOAD, TransportModelAction.Unload.class),
            new ActionHandler<>(ModelAction.RELOAD, TransportModelAction.Reload.class));
    }

    @Override
    public List<RestHandler> getRestHandlers(Settings settings, RestController restController, ClusterSettings clusterSettings,
                                             IndexScopedSettings indexScopedSettings, SettingsFilter settingsFilter,
                                             IndexNameExpressionResolver indexNameExpressionResolver,
                                             Supplier<DiscoveryNodes> nodesInCluster) {
        return List.of(new RestModelsAction(), new RestStatsAction(), new RestModelOperationAction(ModelOperation.LOAD),
            new RestModelOperationAction(ModelOperation.UNLOAD), new RestModelOperationAction(ModelOperation.RELOAD));
    }

    @Override
    public void close() {
        models.close();
    }
}
