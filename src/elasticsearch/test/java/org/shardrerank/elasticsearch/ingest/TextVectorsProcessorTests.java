package org.shardrerank.elasticsearch.ingest;

import org.elasticsearch.ElasticsearchParseException;
import org.elasticsearch.cluster.metadata.ProjectId;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.index.VersionType;
import org.elasticsearch.ingest.IngestDocument;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.elasticsearch.EmbeddingFixture;
import org.shardrerank.embedding.TextRole;
import org.shardrerank.ingest.OnMissing;
import org.shardrerank.stats.StatName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public class TextVectorsProcessorTests extends CoreTestCase {
    private static EmbeddingFixture fixture;
    private static TextVectorsProcessorFactory factory;

    @BeforeClass
    public static void startFixture() {
        fixture = new EmbeddingFixture();
        factory = new TextVectorsProcessorFactory(fixture.embeddings, fixture.threadPool.getThreadContext());
    }

    @AfterClass
    public static void stopFixture() {
        fixture.close();
    }

    private static Map<String, Object> config(Object... kv) {
        Map<String, Object> c = new HashMap<>();
        c.put("model", "all-minilm-l6-v2");
        c.put("fields", List.of("title", "text"));
        c.put("target_field", "vec");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                c.remove((String) kv[i]);
            } else {
                c.put((String) kv[i], kv[i + 1]);
            }
        }
        return c;
    }

    private static TextVectorsProcessor create(Object... kv) {
        return factory.create(Map.of(), "t", null, config(kv), ProjectId.DEFAULT);
    }

    @Test
    public void testConfiguration() {
        TextVectorsProcessor p = create("fields", "body", "on_missing", "skip", "batch_size", 4);
        assertEquals(4, p.batchSize());
        assertEquals(TextVectorsProcessorFactory.DEFAULT_BATCH_SIZE, create().batchSize());
        assertEquals(List.of("body"), p.fields());
        assertEquals(OnMissing.SKIP, p.onMissing());
        assertEquals("vec", p.targetField());
        assertEquals("all-minilm-l6-v2", p.model());
        assertTrue(p.isAsync());
        assertEquals(OnMissing.FAIL, create().onMissing());

        Object[][] cases = {
            { new Object[] { "model", null }, "[model] required property is missing" },
            { new Object[] { "model", "nope" }, "[model] unknown model [nope]; models on this node: [" },
            { new Object[] { "model", "A/B" }, "[model] invalid model name [A/B]" },
            { new Object[] { "fields", null }, "[fields] required property is missing" },
            { new Object[] { "fields", List.of() }, "[fields] must be a field name or a non-empty list of field names" },
            { new Object[] { "fields", List.of("a", 3) }, "[fields] must contain field names only, got [3]" },
            { new Object[] { "target_field", null }, "[target_field] required property is missing" },
            { new Object[] { "target_field", "title" }, "[target_field] [title] is also a source field" },
            { new Object[] { "on_missing", "drop" }, "[on_missing] must be one of [fail, skip], got [drop]" },
            { new Object[] { "batch_size", 0 }, "[batch_size] must be in [1, 1024], got [0]" },
            { new Object[] { "batch_size", 1025 }, "[batch_size] must be in [1, 1024], got [1025]" } };
        for (Object[] c : cases) {
            ElasticsearchParseException e = expectThrows(ElasticsearchParseException.class, () -> create((Object[]) c[0]));
            assertTrue(e.getMessage() + " should contain " + c[1], e.getMessage().contains((String) c[1]));
        }
    }

    private static IngestDocument doc(Map<String, Object> source) {
        return new IngestDocument("idx", "1", 1, null, VersionType.INTERNAL, new HashMap<>(source));
    }

    private record Outcome(IngestDocument document, Exception error, String thread, String header) {}

    /** Runs {@code p} on {@code d} while the inference thread is busy, so the handler cannot run on the caller's thread. */
    private static Outcome run(TextVectorsProcessor p, IngestDocument d) throws Exception {
        ThreadContext threadContext = fixture.threadPool.getThreadContext();
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        CountDownLatch release = fixture.holdInferenceThread();
        try (ThreadContext.StoredContext ignored = threadContext.stashContext()) {
            threadContext.putHeader("caller", "bulk");
            p.execute(d, (result, e) -> done.complete(new Outcome(result, e, Thread.currentThread().getName(), threadContext.getHeader("caller"))));
        } finally {
            release.countDown();
        }
        return done.get(30, TimeUnit.SECONDS);
    }

    @Test
    public void testFillsTheVectorOnTheInferencePoolInTheCallersContext() throws Exception {
        long before = fixture.stats.get(StatName.EMBEDDED_TEXTS);
        Outcome o = run(create(), doc(Map.of("title", "Goldfish", "text", List.of("do goldfish grow", "in a pond"))));
        assertNull(o.error());
        List<?> vec = o.document().getFieldValue("vec", List.class);
        assertEquals(384, vec.size());
        assertTrue("a list of Float, as Elasticsearch's ingest wants", vec.stream().allMatch(Float.class::isInstance));
        assertEquals(EmbeddingFixture.INFERENCE_THREAD, o.thread());
        assertEquals("bulk", o.header());
        assertEquals(before + 1, fixture.stats.get(StatName.EMBEDDED_TEXTS));
        float[] expected = fixture.embeddings.embed("all-minilm-l6-v2", TextRole.DOCUMENT,
            List.of("Goldfish\ndo goldfish grow\nin a pond")).get(30, TimeUnit.SECONDS)[0];
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], (Float) vec.get(i), 0f);
        }
    }

    /** Documents handed over together (as a bulk request's are) go in batches: few inference requests, each vector its own. */
    @Test
    public void testConcurrentDocumentsAreEmbeddedInBatches() throws Exception {
        TextVectorsProcessor p = new TextVectorsProcessorFactory(fixture.embeddings, fixture.threadPool.getThreadContext(), 1)
            .create(Map.of(), "t", null, config("batch_size", 16), ProjectId.DEFAULT);
        int n = 40;
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
        long requests = fixture.stats.get(StatName.EMBEDDING_REQUESTS);
        CountDownLatch release = fixture.holdInferenceThread();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Outcome> done = new CompletableFuture<>();
            p.execute(doc(Map.of("title", "document number " + i)), (d, e) -> done.complete(new Outcome(d, e, null, null)));
            outcomes.add(done);
        }
        release.countDown();
        float[][] expected = fixture.embeddings.embed("all-minilm-l6-v2", TextRole.DOCUMENT,
            java.util.stream.IntStream.range(0, n).mapToObj(i -> "document number " + i).toList()).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < n; i++) {
            Outcome o = outcomes.get(i).get(30, TimeUnit.SECONDS);
            assertNull(o.error());
            List<?> vec = o.document().getFieldValue("vec", List.class);
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals("document " + i, expected[i][j], (Float) vec.get(j), 1e-6f);
            }
        }
        // the first document alone, then the 39 that waited in batches of 16, 16 and 7 (+ the check above)
        assertEquals(5, fixture.stats.get(StatName.EMBEDDING_REQUESTS) - requests);
    }

    @Test
    public void testDocumentsWithoutTextFailOrSkip() throws Exception {
        Outcome missing = run(create(), doc(Map.of("year", 2001)));
        assertNull(missing.document());
        assertEquals("[text_vectors] document has no text in any of the fields [title, text] (set [on_missing] to [skip] to index "
            + "such documents without [vec])", missing.error().getMessage());

        Outcome skipped = run(create("on_missing", "skip"), doc(Map.of("year", 2001)));
        assertNull(skipped.error());
        assertFalse(skipped.document().hasField("vec"));

        Outcome object = run(create(), doc(Map.of("title", Map.of("en", "x"))));
        assertEquals("field [title] is an object; [text_vectors] reads text (name the object's text fields instead)",
            object.error().getMessage());
    }

    @Test
    public void testModelFailuresFailTheDocumentWithTheReason() throws Exception {
        Outcome o = run(create("model", "overlap-logit"), doc(Map.of("title", "a")));
        assertNull(o.document());
        assertEquals("model [overlap-logit] is a [cross_encoder] model; this needs a [text_embedding] model", o.error().getMessage());
        assertEquals("bulk", o.header());

        Outcome badTarget = run(create("target_field", "year.vec"), doc(Map.of("title", "a", "year", 2001)));
        assertNotNull(badTarget.error());
        assertNull(badTarget.document());
    }
}
