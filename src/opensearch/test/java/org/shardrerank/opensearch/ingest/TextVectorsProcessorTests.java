package org.shardrerank.opensearch.ingest;

import org.shardrerank.ingest.OnMissing;
import org.opensearch.OpenSearchParseException;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;
import org.opensearch.test.OpenSearchTestCase;
import org.shardrerank.EmbeddingFixture;
import org.shardrerank.stats.StatName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

public class TextVectorsProcessorTests extends OpenSearchTestCase {

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

    public void testConfiguration() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            TextVectorsProcessorFactory factory = new TextVectorsProcessorFactory(f.embeddings);
            TextVectorsProcessor p = factory.create(Map.of(), "t", null, config("fields", "body", "on_missing", "skip", "batch_size", 4));
            assertEquals(List.of("body"), p.fields());
            assertEquals(OnMissing.SKIP, p.onMissing());
            assertEquals(4, p.batchSize());
            TextVectorsProcessor defaults = factory.create(Map.of(), "t", null, config());
            assertEquals(OnMissing.FAIL, defaults.onMissing());
            assertEquals(TextVectorsProcessorFactory.DEFAULT_BATCH_SIZE, defaults.batchSize());

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
                { new Object[] { "batch_size", 0 }, "[batch_size] must be in [1, 1024], got [0]" } };
            for (Object[] c : cases) {
                OpenSearchParseException e = expectThrows(OpenSearchParseException.class,
                    () -> factory.create(Map.of(), "t", null, config((Object[]) c[0])));
                assertTrue(e.getMessage() + " should contain " + c[1], e.getMessage().contains((String) c[1]));
            }
        }
    }

    private static IngestDocumentWrapper doc(int slot, Map<String, Object> source) {
        return new IngestDocumentWrapper(slot, 0, new IngestDocument("idx", Integer.toString(slot), null, null, null, new HashMap<>(source)), null);
    }

    private static List<IngestDocumentWrapper> run(TextVectorsProcessor p, List<IngestDocumentWrapper> docs) throws Exception {
        CompletableFuture<List<IngestDocumentWrapper>> done = new CompletableFuture<>();
        p.batchExecute(docs, done::complete);
        return done.get(30, TimeUnit.SECONDS);
    }

    public void testBatchFillsVectorsAndFailsOnlyDocumentsWithoutText() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            TextVectorsProcessor p = new TextVectorsProcessorFactory(f.embeddings).create(Map.of(), "t", null, config());
            List<IngestDocumentWrapper> docs = new ArrayList<>();
            docs.add(doc(0, Map.of("title", "Goldfish", "text", "do goldfish grow")));
            docs.add(doc(1, Map.of("text", List.of("koi", "and goldfish"))));
            docs.add(doc(2, Map.of("year", 2001)));
            docs.add(doc(3, Map.of("title", Map.of("en", "x"))));
            IngestDocumentWrapper failedBefore = doc(4, Map.of("title", "x"));
            failedBefore.update(failedBefore.getIngestDocument(), new IllegalStateException("earlier"));
            docs.add(failedBefore);
            List<IngestDocumentWrapper> out = run(p, docs);
            assertEquals("every document comes back", 5, out.size());
            assertEquals("one model call for the batch", 1, f.stats.get(StatName.EMBEDDING_REQUESTS));
            assertEquals(2, f.stats.get(StatName.EMBEDDED_TEXTS));
            for (int i = 0; i < 2; i++) {
                assertNull(out.get(i).getException());
                assertEquals(384, out.get(i).getIngestDocument().getFieldValue("vec", List.class).size());
            }
            assertEquals("[text_vectors] document has no text in any of the fields [title, text] (set [on_missing] to [skip] to index "
                + "such documents without [vec])", out.get(2).getException().getMessage());
            assertEquals("field [title] is an object; [text_vectors] reads text (name the object's text fields instead)",
                out.get(3).getException().getMessage());
            assertEquals("earlier", out.get(4).getException().getMessage());
            assertFalse(out.get(4).getIngestDocument().hasField("vec"));
        }
    }

    public void testSkipAndSingleDocumentsAndModelFailures() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            TextVectorsProcessorFactory factory = new TextVectorsProcessorFactory(f.embeddings);
            TextVectorsProcessor skip = factory.create(Map.of(), "t", null, config("on_missing", "skip"));
            List<IngestDocumentWrapper> out = run(skip, List.of(doc(0, Map.of("year", 1))));
            assertNull(out.get(0).getException());
            assertFalse(out.get(0).getIngestDocument().hasField("vec"));

            CompletableFuture<Object[]> single = new CompletableFuture<>();
            IngestDocument d = doc(0, Map.of("title", "goldfish")).getIngestDocument();
            skip.execute(d, (result, e) -> single.complete(new Object[] { result, e }));
            Object[] r = single.get(30, TimeUnit.SECONDS);
            assertNull(r[1]);
            assertEquals(384, ((IngestDocument) r[0]).getFieldValue("vec", List.class).size());

            // a model that is not a text embedding model fails the documents, with the reason
            TextVectorsProcessor wrong = factory.create(Map.of(), "t", null, config("model", "overlap-logit"));
            List<IngestDocumentWrapper> failed = run(wrong, List.of(doc(0, Map.of("title", "a")), doc(1, Map.of("title", "b"))));
            for (IngestDocumentWrapper w : failed) {
                assertEquals("model [overlap-logit] is a [cross_encoder] model; this needs a [text_embedding] model", w.getException().getMessage());
            }
        }
    }
}
