package org.shardrerank;

import org.shardrerank.inference.MemoryBudget;
import org.shardrerank.rescore.RescorePlanner;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.index.query.TermQueryBuilder;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.search.SearchModule;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.opensearch.query.HybridRrfQueryBuilder;
import org.shardrerank.opensearch.query.TextKnnQueryBuilder;
import org.shardrerank.opensearch.rescore.CrossEncoderRescorerBuilder;
import org.shardrerank.opensearch.rescore.RescoreContextFactory;
import org.shardrerank.stats.RerankStats;

import java.io.Closeable;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The embedding side of a node without a node: the fixture models, an {@link EmbeddingService} on its own thread,
 * and the XContent / wire registries with {@code text_knn}, {@code hybrid_rrf}, {@code cross_encoder} and a stand-in for k-NN's
 * {@code knn} query (parsed into a {@code term} query on field {@code knn} holding the knn JSON).
 */
public final class EmbeddingFixture implements Closeable {
    public final ModelRegistry models = new ModelRegistry(TestModels.root(), new InferenceEnvironment(false, 0, 1), System::currentTimeMillis,
        name -> {});
    public final RerankStats stats = new RerankStats(models::isKnown);
    public final EmbeddingService embeddings;
    public final NamedXContentRegistry xContent;
    public final NamedWriteableRegistry writeables;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    public EmbeddingFixture(boolean withKnn) {
        Settings settings = Settings.EMPTY;
        embeddings = new EmbeddingService(models, stats, 1000, 1, 8192);
        embeddings.bind(new org.shardrerank.inference.InferenceScheduler(executor, 1, 1000), MemoryBudget.UNLIMITED);
        RescoreContextFactory rescore = new RescoreContextFactory(new RescorePlanner(models, stats));
        SearchPlugin plugin = new SearchPlugin() {
            @Override
            public List<QuerySpec<?>> getQueries() {
                QuerySpec<?> textKnn = new QuerySpec<>(TextKnnQueryBuilder.NAME, in -> new TextKnnQueryBuilder(in, embeddings),
                    p -> TextKnnQueryBuilder.fromXContent(p, embeddings));
                QuerySpec<?> knn = new QuerySpec<>("knn", TermQueryBuilder::new,
                    p -> new TermQueryBuilder("knn", p.mapOrdered().toString()));
                QuerySpec<?> hybrid = new QuerySpec<>(HybridRrfQueryBuilder.NAME, HybridRrfQueryBuilder::new, HybridRrfQueryBuilder::fromXContent);
                return withKnn ? List.of(textKnn, knn, hybrid) : List.of(textKnn, hybrid);
            }

            @Override
            public List<RescorerSpec<?>> getRescorers() {
                return List.of(new RescorerSpec<>(CrossEncoderRescorerBuilder.NAME, in -> new CrossEncoderRescorerBuilder(in, rescore),
                    p -> CrossEncoderRescorerBuilder.fromXContent(p, rescore)));
            }
        };
        SearchModule module = new SearchModule(settings, List.of(plugin));
        xContent = new NamedXContentRegistry(module.getNamedXContents());
        writeables = new NamedWriteableRegistry(module.getNamedWriteables());
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        models.close();
    }
}
