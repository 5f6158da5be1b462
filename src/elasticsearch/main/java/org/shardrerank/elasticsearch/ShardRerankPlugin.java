package org.shardrerank.elasticsearch;

import org.apache.lucene.util.SetOnce;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.breaker.CircuitBreaker;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexModule;
import org.elasticsearch.indices.breaker.BreakerSettings;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.CircuitBreakerPlugin;
import org.elasticsearch.plugins.IngestPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.SearchPlugin;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.search.fetch.FetchSubPhase;
import org.elasticsearch.threadpool.ExecutorBuilder;
import org.elasticsearch.threadpool.FixedExecutorBuilder;
import org.elasticsearch.threadpool.ThreadPool;
import org.shardrerank.elasticsearch.action.ModelAction;
import org.shardrerank.elasticsearch.action.ModelOperation;
import org.shardrerank.elasticsearch.action.ModelsAction;
import org.shardrerank.elasticsearch.action.NodeStatsAction;
import org.shardrerank.elasticsearch.action.TransportModelAction;
import org.shardrerank.elasticsearch.action.TransportModelsAction;
import org.shardrerank.elasticsearch.action.TransportNodeStatsAction;
import org.shardrerank.elasticsearch.rescore.CrossEncoderRescorerBuilder;
import org.shardrerank.elasticsearch.rescore.FallbackFetchSubPhase;
import org.shardrerank.elasticsearch.rescore.RescoreContextFactory;
import org.shardrerank.elasticsearch.rescore.RescoreSearchListener;
import org.shardrerank.elasticsearch.rest.RestModelOperationAction;
import org.shardrerank.elasticsearch.rest.RestModelsAction;
import org.shardrerank.elasticsearch.rest.RestStatsAction;
import org.shardrerank.elasticsearch.util.BreakerBudget;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.inference.InferenceScheduler;
import org.shardrerank.inference.MemoryBudget;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.rescore.RescorePlanner;
import org.shardrerank.settings.SettingSpecs;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.stats.StatName;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * shard-rerank for Elasticsearch. Wiring only: settings, thread pool, circuit breaker, rescorer, queries, query vector
 * builder, ingest processor, actions and REST handlers; the work is the core's.
 */
public class ShardRerankPlugin extends Plugin implements SearchPlugin, ActionPlugin, IngestPlugin, CircuitBreakerPlugin {
    /** The breaker's charges are byte estimates already. */
    private static final double BREAKER_OVERHEAD = 1.0;

    private final InferenceEnvironment inference;
    private final RerankStats stats;
    private final ModelRegistry models;
    private final RescorePlanner planner;
    private final EmbeddingService embeddings;
    private final SetOnce<CircuitBreaker> breaker = new SetOnce<>();

    public ShardRerankPlugin(Settings settings, Path configPath) {
        this.inference = new InferenceEnvironment(
            PluginSettings.DEVICE.get(settings) == SettingSpecs.Device.CUDA,
            PluginSettings.CUDA_DEVICE_ID.get(settings),
            PluginSettings.INTRA_OP_THREADS.get(settings));
        this.stats = new RerankStats(this::isKnownModel);
        String modelsPath = PluginSettings.MODELS_PATH.get(settings);
        Path root = modelsPath.isEmpty() ? configPath.resolve("shard-rerank").resolve("models") : configPath.resolve(modelsPath);
        this.models = new ModelRegistry(root.normalize(), inference, System::currentTimeMillis,
            model -> stats.increment(model, StatName.MODEL_LOAD_FAILURES));
        this.planner = new RescorePlanner(models, stats);
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
    public List<QuerySpec<?>> getQueries() {
        return List.of(new QuerySpec<>(org.shardrerank.elasticsearch.query.HybridRrfQueryBuilder.NAME,
            org.shardrerank.elasticsearch.query.HybridRrfQueryBuilder::new,
            org.shardrerank.elasticsearch.query.HybridRrfQueryBuilder::fromXContent));
    }

    @Override
    public List<QueryVectorBuilderSpec<?>> getQueryVectorBuilders() {
        return List.of(new QueryVectorBuilderSpec<>(org.shardrerank.elasticsearch.query.TextVectorsQueryVectorBuilder.NAME,
            in -> new org.shardrerank.elasticsearch.query.TextVectorsQueryVectorBuilder(in, embeddings),
            (parser, unused) -> org.shardrerank.elasticsearch.query.TextVectorsQueryVectorBuilder.fromXContent(parser, embeddings)));
    }

    @Override
    public java.util.Map<String, org.elasticsearch.ingest.Processor.Factory> getProcessors(org.elasticsearch.ingest.Processor.Parameters parameters) {
        return java.util.Map.of(org.shardrerank.elasticsearch.ingest.TextVectorsProcessor.TYPE,
            new org.shardrerank.elasticsearch.ingest.TextVectorsProcessorFactory(embeddings, parameters.threadContext));
    }

    @Override
    public List<ExecutorBuilder<?>> getExecutorBuilders(Settings settings) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        return List.of(new FixedExecutorBuilder(settings, SettingSpecs.INFERENCE_POOL, threads, SettingSpecs.INFERENCE_QUEUE_SIZE,
            SettingSpecs.INFERENCE_POOL_PREFIX, EsExecutors.TaskTrackingConfig.DO_NOT_TRACK));
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
    public Collection<?> createComponents(PluginServices services) {
        CircuitBreaker inferenceBreaker = breaker.get();
        ClusterSettings clusterSettings = services.clusterService().getClusterSettings();
        // our own setting, not the engine's breaker.shard_rerank.limit: that one resets the overhead unless both are set
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.BREAKER_LIMIT,
            limit -> inferenceBreaker.setLimitAndOverhead(limit.getBytes(), BREAKER_OVERHEAD));
        ThreadPool threadPool = services.threadPool();
        ThreadPool.Info pool = threadPool.info(SettingSpecs.INFERENCE_POOL);
        InferenceScheduler scheduler = new InferenceScheduler(threadPool.executor(SettingSpecs.INFERENCE_POOL), pool.getMax(),
            (int) Math.min(Integer.MAX_VALUE, pool.getQueueSize()));
        MemoryBudget budget = new BreakerBudget(inferenceBreaker);
        planner.bind(scheduler, budget);
        planner.maxWindowSize(clusterSettings.get(PluginSettings.MAX_WINDOW_SIZE));
        planner.maxBatchTokens(clusterSettings.get(PluginSettings.MAX_BATCH_TOKENS));
        planner.defaultBatchSize(clusterSettings.get(PluginSettings.DEFAULT_BATCH_SIZE));
        planner.defaultTimeoutMillis(clusterSettings.get(PluginSettings.DEFAULT_TIMEOUT).millis());
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_WINDOW_SIZE, planner::maxWindowSize);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_BATCH_TOKENS, planner::maxBatchTokens);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.DEFAULT_BATCH_SIZE, planner::defaultBatchSize);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.DEFAULT_TIMEOUT, v -> planner.defaultTimeoutMillis(v.millis()));
        embeddings.bind(scheduler, budget);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.EMBEDDING_BATCH_SIZE, embeddings::rowsPerRun);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_BATCH_TOKENS, embeddings::maxBatchTokens);
        models.warmUp(threadPool.generic());
        return List.of(models, stats);
    }

    @Override
    public List<RescorerSpec<?>> getRescorers() {
        RescoreContextFactory contexts = new RescoreContextFactory(planner);
        return List.of(new RescorerSpec<>(CrossEncoderRescorerBuilder.NAME,
            in -> new CrossEncoderRescorerBuilder(in, contexts),
            parser -> CrossEncoderRescorerBuilder.fromXContent(parser, contexts)));
    }

    @Override
    public List<FetchSubPhase> getFetchSubPhases(FetchPhaseConstructionContext context) {
        return List.of(new FallbackFetchSubPhase());
    }

    @Override
    public void onIndexModule(IndexModule indexModule) {
        indexModule.addSearchOperationListener(new RescoreSearchListener());
    }

    @Override
    public Collection<ActionHandler> getActions() {
        return List.of(new ActionHandler(NodeStatsAction.INSTANCE, TransportNodeStatsAction.class),
            new ActionHandler(ModelsAction.INSTANCE, TransportModelsAction.class),
            new ActionHandler(ModelAction.LOAD, TransportModelAction.Load.class),
            new ActionHandler(ModelAction.UNLOAD, TransportModelAction.Unload.class),
            new ActionHandler(ModelAction.RELOAD, TransportModelAction.Reload.class));
    }

    @Override
    public Collection<RestHandler> getRestHandlers(RestHandlersServices services, Supplier<DiscoveryNodes> nodesInCluster,
                                                   Predicate<NodeFeature> clusterSupportsFeature) {
        return List.of(new RestStatsAction(), new RestModelsAction(), new RestModelOperationAction(ModelOperation.LOAD),
            new RestModelOperationAction(ModelOperation.UNLOAD), new RestModelOperationAction(ModelOperation.RELOAD));
    }

    @Override
    public void close() {
        models.close();
    }
}
