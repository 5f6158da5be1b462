package org.shardrerank.elasticsearch.query;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.NamedWriteableAwareStreamInput;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.MatchQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryRewriteContext;
import org.elasticsearch.index.query.Rewriteable;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.search.vectors.KnnSearchBuilder;
import org.elasticsearch.search.vectors.KnnVectorQueryBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.elasticsearch.EmbeddingFixture;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.startsWith;

public class TextVectorsQueryVectorBuilderTests extends CoreTestCase {
    private static final String MODEL = "all-minilm-l6-v2";
    private static EmbeddingFixture fixture;

    @BeforeClass
    public static void startFixture() {
        fixture = new EmbeddingFixture();
    }

    @AfterClass
    public static void stopFixture() {
        fixture.close();
    }

    private static String knn(String builder) {
        return "{\"knn\":{\"field\":\"vec\",\"k\":10,\"num_candidates\":50,\"query_vector_builder\":{\"text_vectors\":" + builder + "}}}";
    }

    private static QueryBuilder parse(String json) throws IOException {
        try (XContentParser p = fixture.parser(json)) {
            return AbstractQueryBuilder.parseTopLevelQuery(p);
        }
    }

    @Test
    public void testRoundTripsInTheKnnQuery() throws IOException {
        KnnVectorQueryBuilder knn = (KnnVectorQueryBuilder) parse(knn("{\"model\":\"" + MODEL + "\",\"query_text\":\"do goldfish grow\"}"));
        TextVectorsQueryVectorBuilder b = (TextVectorsQueryVectorBuilder) knn.queryVectorBuilder();
        assertEquals(MODEL, b.model());
        assertEquals("do goldfish grow", b.queryText());
        assertEquals(knn, parse(Strings.toString(knn)));
        QueryBuilder read = fixture.wireCopy(knn, QueryBuilder.class);
        assertEquals(knn, read);
        assertEquals(Strings.toString(knn), Strings.toString(read));
        assertNotEquals(b, new TextVectorsQueryVectorBuilder(null, MODEL, "do goldfish grow?"));
        assertNotEquals(b, new TextVectorsQueryVectorBuilder(null, "bge-small-en-v1.5", "do goldfish grow"));
        assertEquals(b.hashCode(), new TextVectorsQueryVectorBuilder(null, MODEL, "do goldfish grow").hashCode());
    }

    @Test
    public void testRoundTripsInTheKnnSearchSection() throws IOException {
        String json = "{\"knn\":{\"field\":\"vec\",\"k\":10,\"num_candidates\":50,\"query_vector_builder\":{\"text_vectors\":"
            + "{\"model\":\"" + MODEL + "\",\"query_text\":\"koi\"}}}}";
        SearchSourceBuilder source;
        try (XContentParser p = fixture.parser(json)) {
            source = new SearchSourceBuilder().parseXContent(p, true, feature -> true);
        }
        KnnSearchBuilder knn = source.knnSearch().get(0);
        assertEquals(new TextVectorsQueryVectorBuilder(null, MODEL, "koi"), knn.getQueryVectorBuilder());
        try (BytesStreamOutput out = new BytesStreamOutput()) {
            source.writeTo(out);
            try (StreamInput in = new NamedWriteableAwareStreamInput(out.bytes().streamInput(), fixture.writeables)) {
                assertEquals(source, new SearchSourceBuilder(in));
            }
        }
    }

    @Test
    public void testValidationMessages() {
        Object[][] cases = {
            { "{\"query_text\":\"koi\"}", "[text_vectors] requires [model], a text_embedding model of this cluster, got [null]" },
            { "{\"model\":\"A/B\",\"query_text\":\"koi\"}", "[text_vectors] requires [model], a text_embedding model of this cluster, got [A/B]" },
            { "{\"model\":\"" + MODEL + "\"}", "[text_vectors] requires a non-empty [query_text]" },
            { "{\"model\":\"" + MODEL + "\",\"query_text\":\"  \"}", "[text_vectors] requires a non-empty [query_text]" } };
        for (Object[] c : cases) {
            Exception e = expectThrows(Exception.class, () -> parse(knn((String) c[0])));
            assertTrue(e + " should say " + c[1], messages(e).contains((String) c[1]));
        }
        Exception unknown = expectThrows(Exception.class, () -> parse(knn("{\"model\":\"" + MODEL + "\",\"query_txt\":\"koi\"}")));
        assertThat(messages(unknown), containsString("[text_vectors] unknown field [query_txt]"));
    }

    /** The messages of {@code e} and its causes: Elasticsearch's knn parser wraps ours. */
    private static String messages(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(t.getMessage()).append('\n');
        }
        return s.toString();
    }

    private static float[] embed(TextVectorsQueryVectorBuilder b, ThreadContext threadContext) throws Exception {
        CompletableFuture<float[]> done = new CompletableFuture<>();
        b.embed(threadContext, ActionListener.wrap(done::complete, done::completeExceptionally));
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    public void testEmbedsOnTheInferencePoolInTheCallersContext() throws Exception {
        ThreadContext threadContext = fixture.threadPool.getThreadContext();
        CompletableFuture<String[]> seen = new CompletableFuture<>();
        TextVectorsQueryVectorBuilder b = new TextVectorsQueryVectorBuilder(fixture.embeddings, MODEL, "a query nobody asked before");
        CountDownLatch release = fixture.holdInferenceThread();
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            threadContext.putHeader("caller", "me");
            b.embed(threadContext, ActionListener.wrap(
                v -> seen.complete(new String[] { Thread.currentThread().getName(), threadContext.getHeader("caller"), Integer.toString(v.length) }),
                seen::completeExceptionally));
        }
        assertFalse("buildVector returns without waiting for the model", seen.isDone());
        assertNull(threadContext.getHeader("caller"));
        release.countDown();
        String[] r = seen.get(30, TimeUnit.SECONDS);
        assertEquals(EmbeddingFixture.INFERENCE_THREAD, r[0]);
        assertEquals("the listener runs in the caller's thread context", "me", r[1]);
        assertEquals("384", r[2]);
        assertArrayEquals(fixture.embeddings.embedQuery(MODEL, "a query nobody asked before").get(30, TimeUnit.SECONDS), embed(b, threadContext), 0f);
    }

    @Test
    public void testUnknownModelAndCrossEncoderAreClearBadRequests() {
        ThreadContext threadContext = fixture.threadPool.getThreadContext();
        IllegalArgumentException unknown = expectThrows(IllegalArgumentException.class,
            () -> embed(new TextVectorsQueryVectorBuilder(fixture.embeddings, "nope", "koi"), threadContext));
        assertThat(unknown.getMessage(), startsWith("unknown model [nope]; models on this node: ["));
        IllegalArgumentException crossEncoder = expectThrows(IllegalArgumentException.class,
            () -> embed(new TextVectorsQueryVectorBuilder(fixture.embeddings, "overlap-logit", "koi"), threadContext));
        assertEquals("model [overlap-logit] is a [cross_encoder] model; this needs a [text_embedding] model", crossEncoder.getMessage());
    }

    /** Elasticsearch resolves the builder when it rewrites the search: as a sub-query of hybrid_rrf and in the knn section. */
    @Test
    public void testRewriteResolvesTheVectorInsideHybridAndInTheKnnSection() throws Exception {
        QueryBuilder hybrid = parse("{\"hybrid_rrf\":{\"queries\":[{\"match\":{\"text\":\"goldfish\"}}," + knn("{\"model\":\"" + MODEL
            + "\",\"query_text\":\"do goldfish grow\"}") + "],\"window_size\":7}}");
        HybridRrfQueryBuilder rewritten = (HybridRrfQueryBuilder) rewrite(hybrid);
        assertEquals(new MatchQueryBuilder("text", "goldfish"), rewritten.queries().get(0));
        KnnVectorQueryBuilder knn = (KnnVectorQueryBuilder) rewritten.queries().get(1);
        assertNull(knn.queryVectorBuilder());
        float[] expected = fixture.embeddings.embedQuery(MODEL, "do goldfish grow").get(30, TimeUnit.SECONDS);
        assertArrayEquals(expected, knn.queryVector().asFloatVector(), 0f);
        assertEquals(7, rewritten.windowSize());

        KnnSearchBuilder section = new KnnSearchBuilder("vec", new TextVectorsQueryVectorBuilder(fixture.embeddings, MODEL, "do goldfish grow"),
            10, 50, null, null, null);
        CompletableFuture<KnnSearchBuilder> done = new CompletableFuture<>();
        Rewriteable.rewriteAndFetch(section, context(), ActionListener.wrap(done::complete, done::completeExceptionally));
        KnnSearchBuilder resolved = done.get(30, TimeUnit.SECONDS);
        assertArrayEquals(expected, resolved.getQueryVector().asFloatVector(), 0f);
    }

    private static QueryRewriteContext context() {
        return new QueryRewriteContext(XContentParserConfiguration.EMPTY.withRegistry(fixture.xContent), fixture.client, () -> 0L);
    }

    private static QueryBuilder rewrite(QueryBuilder q) throws Exception {
        CompletableFuture<QueryBuilder> done = new CompletableFuture<>();
        Rewriteable.rewriteAndFetch(q, context(), ActionListener.wrap(done::complete, done::completeExceptionally));
        return done.get(30, TimeUnit.SECONDS);
    }

    @Test
    public void testModelFailureFailsTheRewrite() throws Exception {
        QueryBuilder hybrid = parse("{\"hybrid_rrf\":{\"queries\":[{\"match\":{\"text\":\"goldfish\"}}," + knn("{\"model\":\"overlap-logit\","
            + "\"query_text\":\"koi\"}") + "]}}");
        ExecutionException e = expectThrows(ExecutionException.class, () -> rewrite(hybrid));
        assertEquals("model [overlap-logit] is a [cross_encoder] model; this needs a [text_embedding] model", e.getCause().getMessage());
    }
}
