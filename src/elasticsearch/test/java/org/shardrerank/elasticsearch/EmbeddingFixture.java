package org.shardrerank.elasticsearch;

import org.elasticsearch.client.internal.Client;
import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.NamedWriteable;
import org.elasticsearch.common.io.stream.NamedWriteableAwareStreamInput;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.plugins.SearchPlugin;
import org.elasticsearch.search.SearchModule;
import org.elasticsearch.threadpool.ThreadPool;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.shardrerank.TestModels;
import org.shardrerank.elasticsearch.query.HybridRrfQueryBuilder;
import org.shardrerank.elasticsearch.query.TextVectorsQueryVectorBuilder;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.inference.InferenceScheduler;
import org.shardrerank.inference.MemoryBudget;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.stats.RerankStats;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The embedding side of a node without a node: the fixture models, an {@link EmbeddingService} on its own thread
 * (named {@code inference}), Elasticsearch's XContent and wire registries with {@code hybrid_rrf} and the
 * {@code text_vectors} query vector builder, and a client that only has a thread context.
 */
public final class EmbeddingFixture implements Closeable {
    public static final String INFERENCE_THREAD = "inference";

    static {
        // what a node does at start: Elasticsearch's exceptions and parsers log through it
        LogConfigurator.configureESLogging();
    }

    public final ModelRegistry models = new ModelRegistry(TestModels.root(), new InferenceEnvironment(false, 0, 1), System::currentTimeMillis,
        name -> {});
    public final RerankStats stats = new RerankStats(models::isKnown);
    public final EmbeddingService embeddings = new EmbeddingService(models, stats, 1000, 1, 8192);
    public final NamedXContentRegistry xContent;
    public final NamedWriteableRegistry writeables;
    public final ThreadPool threadPool = new ThreadPool() {};
    /** Elasticsearch's client as a query vector builder sees it: its thread pool (for the thread context), nothing else. */
    public final Client client = (Client) Proxy.newProxyInstance(Client.class.getClassLoader(), new Class<?>[] { Client.class },
        (proxy, method, args) -> {
            if (method.getName().equals("threadPool")) {
                return threadPool;
            }
            throw new UnsupportedOperationException("test client: " + method.getName());
        });
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, INFERENCE_THREAD));

    public EmbeddingFixture() {
        embeddings.bind(new InferenceScheduler(executor, 1, 1000), MemoryBudget.UNLIMITED);
        SearchPlugin plugin = new SearchPlugin() {
            @Override
            public List<QuerySpec<?>> getQueries() {
                return List.of(new QuerySpec<>(HybridRrfQueryBuilder.NAME, HybridRrfQueryBuilder::new, HybridRrfQueryBuilder::fromXContent));
            }

            @Override
            public List<QueryVectorBuilderSpec<?>> getQueryVectorBuilders() {
                return List.of(new QueryVectorBuilderSpec<>(TextVectorsQueryVectorBuilder.NAME, in -> new TextVectorsQueryVectorBuilder(in, embeddings),
                    (p, c) -> TextVectorsQueryVectorBuilder.fromXContent(p, embeddings)));
            }
        };
        SearchModule module = new SearchModule(Settings.EMPTY, List.of(plugin));
        xContent = new NamedXContentRegistry(module.getNamedXContents());
        writeables = new NamedWriteableRegistry(module.getNamedWriteables());
    }

    public XContentParser parser(String json) throws IOException {
        return JsonXContent.jsonXContent.createParser(XContentParserConfiguration.EMPTY.withRegistry(xContent), json);
    }

    /** {@code value} written and read back through the transport format, as another node would get it. */
    public <T extends NamedWriteable> T wireCopy(T value, Class<? super T> category) throws IOException {
        try (BytesStreamOutput out = new BytesStreamOutput()) {
            out.writeNamedWriteable(value);
            try (NamedWriteableAwareStreamInput in = new NamedWriteableAwareStreamInput(out.bytes().streamInput(), writeables)) {
                @SuppressWarnings("unchecked")
                T read = (T) in.readNamedWriteable(category.asSubclass(NamedWriteable.class));
                return read;
            }
        }
    }

    /** Occupies the inference thread until the returned latch is counted down: work submitted meanwhile waits. */
    public CountDownLatch holdInferenceThread() {
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
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
