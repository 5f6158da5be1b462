package org.shardrerank;

import org.junit.Assume;
import org.junit.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-node text embeddings on a real node (OpenSearch with k-NN, or Elasticsearch): the {@code text_vectors} ingest
 * processor, the {@code text_knn} query and (OpenSearch only) the {@code text_hybrid_rerank} search pipeline, with the
 * real all-MiniLM-L6-v2 (int8) the build unpacks from Maven Central and the fixture cross-encoder {@code overlap-logit}.
 */
public class EmbeddingIT extends RerankRestTestCase {
    private static final String MODEL = "all-minilm-l6-v2";

    private static final String PIPELINE = "{\"processors\":[{\"text_vectors\":{\"model\":\"" + MODEL + "\",\"fields\":[\"title\",\"text\"],"
        + "\"target_field\":\"vec\"%s}}]}";

    private void createIndex(String index, int shards, String pipeline) throws IOException {
        call("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":" + shards + ",\"number_of_replicas\":0" + ENGINE.vectorIndexSettings()
            + (pipeline == null ? "" : ",\"default_pipeline\":\"" + pipeline + "\"") + "},"
            + "\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"},\"text\":{\"type\":\"text\"},\"year\":{\"type\":\"integer\"},"
            + "\"vec\":" + ENGINE.vectorField(384, Engine.Similarity.COSINE) + "}}}");
    }

    private static Map<String, String> docs() {
        Map<String, String> docs = goldfishDocs();
        docs.put("7", "{\"title\":\"Berlin\",\"text\":\"Berlin has about 3.7 million inhabitants\",\"year\":2007}");
        docs.put("8", "{\"title\":\"Tax law\",\"text\":\"the income tax return is due in April\",\"year\":2008}");
        return docs;
    }

    /** An index of the docs above, vectors filled by the ingest pipeline. */
    private void indexDocs(String index, int shards) throws IOException {
        call("PUT", "/_ingest/pipeline/vectors", String.format(java.util.Locale.ROOT, PIPELINE, ""));
        createIndex(index, shards, "vectors");
        bulk(index, docs());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> item(Map<String, Object> bulkResponse, int i) {
        return (Map<String, Object>) ((Map<String, Object>) ((List<Object>) bulkResponse.get("items")).get(i)).get("index");
    }

    @SuppressWarnings("unchecked")
    private List<Number> vector(String index, String id) throws IOException {
        Map<String, Object> source = (Map<String, Object>) call("GET", "/" + index + "/_doc/" + id + ENGINE.getWithVectorsParams(), null)
            .get("_source");
        return (List<Number>) source.get("vec");
    }

    /** A counter of the node's stats ({@code nodes.<id>.<name>}), summed over the nodes that answer. */
    @SuppressWarnings("unchecked")
    private long stat(String name) throws IOException {
        Map<String, Object> nodes = (Map<String, Object>) call("GET", ENGINE.restPrefix() + "/stats", null).get("nodes");
        long sum = 0;
        for (Object node : nodes.values()) {
            sum += ((Number) ((Map<String, Object>) node).get(name)).longValue();
        }
        return sum;
    }

    @Test
    public void testModelIsListed() throws IOException {
        String models = call("GET", ENGINE.restPrefix() + "/models", null).toString();
        assertTrue(models, models.contains("name=" + MODEL));
        assertTrue(models, models.contains("type=text_embedding"));
    }

    @Test
    public void testIngestFillsVectorsAndReportsDocumentsWithoutText() throws IOException {
        call("PUT", "/_ingest/pipeline/vectors", String.format(java.util.Locale.ROOT, PIPELINE, ""));
        createIndex("ingest", 2, "vectors");
        Map<String, String> docs = docs();
        docs.put("empty", "{\"title\":\"\",\"year\":2020}");
        docs.put("object", "{\"title\":{\"en\":\"nested\"}}");
        long before = stat("embedded_texts");
        Map<String, Object> r = bulkRaw("ingest", docs);
        assertEquals(Boolean.TRUE, r.get("errors"));
        for (int i = 0; i < 8; i++) {
            assertEquals(r.toString(), "created", item(r, i).get("result"));
        }
        assertEquals(400, ((Number) item(r, 8).get("status")).intValue());
        String error = item(r, 8).get("error").toString();
        assertTrue(error, error.contains("[text_vectors] document has no text in any of the fields [title, text]"));
        String objectError = item(r, 9).get("error").toString();
        assertTrue(objectError, objectError.contains("field [title] is an object"));
        assertEquals(8, ((Number) call("GET", "/ingest/_count", null).get("count")).intValue());
        assertEquals(8, stat("embedded_texts") - before);

        List<Number> v = vector("ingest", "2");
        assertEquals(384, v.size());
        double norm = 0;
        for (Number x : v) {
            norm += x.doubleValue() * x.doubleValue();
        }
        assertEquals("normalized", 1.0, norm, 1e-3);

        // on_missing: skip indexes the document without a vector
        call("PUT", "/_ingest/pipeline/vectors-skip", String.format(java.util.Locale.ROOT, PIPELINE, ",\"on_missing\":\"skip\""));
        call("PUT", "/ingest/_doc/empty?pipeline=vectors-skip&refresh=true", "{\"title\":\"\",\"year\":2020}");
        assertNull(vector("ingest", "empty"));
    }

    /**
     * End to end through the node: the vector the ingest pipeline stores for a reference sentence is the one computed
     * outside the plugin (src/test/resources/.../embedding-reference.json, see tools/embedding-reference).
     */
    @SuppressWarnings("unchecked")
    @Test
    public void testStoredVectorsMatchTheReference() throws IOException {
        Map<String, Object> ref;
        try (java.io.InputStream in = getClass().getResourceAsStream("/org/shardrerank/inference/embedding-reference.json")) {
            ref = JSON.readValue(in, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        }
        List<String> sentences = (List<String>) ref.get("sentences");
        List<List<Number>> expected = (List<List<Number>>) ((Map<String, Object>) ref.get("vectors")).get(MODEL);
        call("PUT", "/_ingest/pipeline/vectors", String.format(java.util.Locale.ROOT, PIPELINE, ""));
        createIndex("reference", 1, "vectors");
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            docs.put(Integer.toString(i), "{\"text\":\"" + sentences.get(i) + "\"}");
        }
        bulk("reference", docs);
        for (int i = 0; i < 4; i++) {
            List<Number> v = vector("reference", Integer.toString(i));
            double dot = 0, a = 0, b = 0;
            for (int d = 0; d < v.size(); d++) {
                dot += v.get(d).doubleValue() * expected.get(i).get(d).doubleValue();
                a += v.get(d).doubleValue() * v.get(d).doubleValue();
                b += expected.get(i).get(d).doubleValue() * expected.get(i).get(d).doubleValue();
            }
            double cosine = dot / Math.sqrt(a * b);
            assertTrue("sentence " + i + " cosine " + cosine, cosine >= 0.9999);
        }
    }

    @Test
    public void testProcessorConfigurationErrors() throws IOException {
        String[][] cases = {
            { PIPELINE.replace("%s", "").replace(MODEL, "no-such-model"), "unknown model [no-such-model]" },
            { PIPELINE.replace("%s", ",\"on_missing\":\"drop\""), "[on_missing] must be one of [fail, skip], got [drop]" },
            { PIPELINE.replace("%s", ",\"batch_size\":0"), "[batch_size] must be in [1, 1024], got [0]" },
            { PIPELINE.replace("%s", "").replace("\"target_field\":\"vec\"", "\"target_field\":\"title\""), "[title] is also a source field" },
            { PIPELINE.replace("%s", ",\"temperature\":1"), "temperature" } };
        for (String[] c : cases) {
            ErrorResponse e = callExpectingError("PUT", "/_ingest/pipeline/bad", c[0]);
            assertEquals(c[1] + " -> " + e.text(), 400, e.status());
            assertTrue(c[1] + " not in " + e.text(), e.text().contains(c[1]));
        }
    }

    @Test
    public void testSearchByTextAloneEmbedsOncePerRequest() throws IOException {
        indexDocs("knn", 3);
        String query = "{\"size\":3,\"query\":" + ENGINE.textKnnQuery("vec", MODEL, "%s", 3, "%s") + "}";
        long before = stat("embedding_requests");
        // a text no earlier run has cached on this node
        call("POST", "/knn/_search", String.format(java.util.Locale.ROOT, query, "goldfish " + randomAlphaOfLength(12), ""));
        assertEquals("one embedding for a search over three shards", 1, stat("embedding_requests") - before);
        Map<String, Object> r = call("POST", "/knn/_search", String.format(java.util.Locale.ROOT, query, "how big do goldfish get", ""));
        assertEquals("2", ids(r).get(0));
        assertEquals(List.of("7"), ids(call("POST", "/knn/_search",
            String.format(java.util.Locale.ROOT, query, "population of the german capital", "").replace("\"size\":3", "\"size\":1"))));

        // the same text again comes from the query vector cache
        long hits = stat("query_vector_cache_hits");
        call("POST", "/knn/_search", String.format(java.util.Locale.ROOT, query, "how big do goldfish get", ""));
        assertEquals(1, stat("query_vector_cache_hits") - hits);

        // k-NN's filter
        Map<String, Object> filtered = call("POST", "/knn/_search", String.format(java.util.Locale.ROOT, query, "how big do goldfish get",
            ",\"filter\":{\"range\":{\"year\":{\"gte\":2005}}}"));
        for (String id : ids(filtered)) {
            assertTrue(ids(filtered).toString(), Integer.parseInt(id) >= 5);
        }

        // inside a bool next to a lexical query
        Map<String, Object> combined = call("POST", "/knn/_search", "{\"query\":{\"bool\":{\"should\":[{\"match\":{\"text\":\"tank\"}},"
            + ENGINE.textKnnQuery("vec", MODEL, "how big do goldfish get", 5, "") + "]}}}");
        assertEquals("2", ids(combined).get(0));
    }

    @Test
    public void testTextKnnErrors() throws IOException {
        indexDocs("knn-errors", 1);
        String q = "{\"query\":" + ENGINE.textKnnQuery("vec", MODEL, "goldfish", 3, "") + "}";
        String[][] common = {
            { q.replace(MODEL, "overlap-logit"), "model [overlap-logit] is a [cross_encoder] model; this needs a [text_embedding] model" },
            { q.replace(MODEL, "no-such-model"), "unknown model [no-such-model]" } };
        String[][] own = ENGINE == Engine.OPENSEARCH ? new String[][] {
            { q.replace("\"k\":3", "\"k\":0"), "[text_knn] [k] must be in [1, 10000], got [0]" },
            { q.replace("\"query_text\":\"goldfish\",", ""), "[text_knn] requires a non-empty [query_text]" },
            { q.replace("\"k\":3", "\"k\":3,\"vector\":[1]"), "[text_knn] unknown field [vector]" } } : new String[][] {
            { q.replace(",\"query_text\":\"goldfish\"", ""), "[text_vectors] requires a non-empty [query_text]" },
            { q.replace("\"query_text\":\"goldfish\"", "\"query_text\":\"goldfish\",\"vector\":[1]"), "[text_vectors] unknown field [vector]" } };
        List<String[]> cases = new java.util.ArrayList<>(List.of(common));
        cases.addAll(List.of(own));
        for (String[] c : cases) {
            ErrorResponse e = callExpectingError("POST", "/knn-errors/_search", c[0]);
            assertEquals(c[1] + " -> " + e.text(), 400, e.status());
            assertTrue(c[1] + " not in " + e.text(), e.text().contains(c[1]));
        }
        if (ENGINE != Engine.OPENSEARCH) {
            return; // text_knn's own rewrite rule; Elasticsearch's knn query decides itself where a query vector builder runs
        }
        ErrorResponse alias = callExpectingError("POST", "/_aliases", "{\"actions\":[{\"add\":{\"index\":\"knn-errors\",\"alias\":\"semantic\","
            + "\"filter\":{\"text_knn\":{\"field\":\"vec\",\"query_text\":\"goldfish\",\"model\":\"" + MODEL + "\",\"k\":3}}}}]}");
        assertEquals(alias.text(), 400, alias.status());
        assertTrue(alias.text(), alias.text().contains("[text_knn] runs only in search requests"));
    }

    /** hybrid_rrf when this build has it (branch hybrid merged), else the processor's bool first stage. */
    private String firstStage() throws IOException {
        return errorOf("POST", "/_search", "{\"size\":0,\"query\":{\"hybrid_rrf\":{\"queries\":[{\"match_all\":{}}]}}}") == null
            ? "hybrid_rrf"
            : "bool";
    }

    private RestResponse search(String index, String body) throws IOException {
        RestResponse r = request("POST", "/" + index + "/_search", body);
        if (r.ok() == false) {
            throw new ResponseException("POST", "/" + index + "/_search", r);
        }
        return r;
    }

    @Test
    public void testDefaultSearchPipelineTurnsAPlainMatchIntoHybridAndRerank() throws IOException {
        Assume.assumeTrue("search pipelines are OpenSearch's", ENGINE.hasSearchPipelines());
        indexDocs("plain", 2);
        String stage = firstStage();
        call("PUT", "/_search/pipeline/text-rerank", "{\"request_processors\":[{\"text_hybrid_rerank\":{\"model\":\"" + MODEL + "\","
            + "\"vector_field\":\"vec\",\"k\":10,\"first_stage\":\"" + stage + "\","
            + "\"rerank\":{\"model\":\"overlap-logit\",\"fields\":[\"title\",\"text\"],\"window_size\":50}}}]}");
        call("PUT", "/plain/_settings", "{\"index.search.default_pipeline\":\"text-rerank\"}");

        RestResponse r = search("plain", "{\"query\":{\"match\":{\"text\":\"do goldfish grow\"}}}");
        assertEquals("rewritten; " + stage + " + cross_encoder rank the query's own matches", r.header("X-Shard-Rerank-Pipeline"));
        Map<String, Object> body = r.map();
        List<String> ids = ids(body);
        // overlap-logit: query word-pieces (do, gold, ##fish, grow) in title + text, minus 0.001 x length; 5 and 6 tie at 3
        assertEquals("2", ids.get(0));
        assertEquals(java.util.Set.of("5", "6"), java.util.Set.copyOf(ids.subList(1, 3)));
        assertEquals(4.0, ((Number) hits(body).get(0).get("_score")).doubleValue(), 0.05);
        assertEquals("the match decides which documents match: 7 and 8 have none of its words", 6, ids.size());
        assertEquals(6, ((Number) ((Map<?, ?>) ((Map<?, ?>) body.get("hits")).get("total")).get("value")).intValue());

        // what Dashboards Discover sends: the query bar's text in a bool filter next to a range
        RestResponse discover = search("plain", "{\"query\":{\"bool\":{\"must\":[],\"filter\":[{\"multi_match\":{\"type\":\"best_fields\","
            + "\"query\":\"do goldfish grow\",\"lenient\":true}},{\"range\":{\"year\":{\"gte\":2003}}}],\"should\":[],\"must_not\":[]}},"
            + "\"sort\":[{\"_score\":{\"order\":\"desc\"}}]}");
        assertTrue(discover.header("X-Shard-Rerank-Pipeline"), discover.header("X-Shard-Rerank-Pipeline").startsWith("rewritten"));
        List<String> discovered = ids(discover.map());
        assertEquals(java.util.Set.of("5", "6"), java.util.Set.copyOf(discovered.subList(0, 2)));
        assertFalse("2 is before 2003", discovered.contains("2"));
        for (String id : discovered) {
            assertTrue(discovered.toString(), Integer.parseInt(id) >= 3);
        }

        // what it does not understand passes through, and says why
        RestResponse all = search("plain", "{\"query\":{\"match_all\":{}}}");
        assertEquals("passthrough; no clause of [match, match_phrase, match_phrase_prefix, match_bool_prefix, multi_match, query_string, "
            + "simple_query_string] in the query", all.header("X-Shard-Rerank-Pipeline"));
        assertEquals(8, ids(all.map()).size());
        RestResponse sorted = search("plain", "{\"query\":{\"match\":{\"text\":\"goldfish\"}},\"sort\":[{\"year\":\"asc\"}]}");
        assertTrue(sorted.header("X-Shard-Rerank-Pipeline"), sorted.header("X-Shard-Rerank-Pipeline").startsWith("passthrough; the request sorts"));
        assertEquals("1", ids(sorted.map()).get(0));
    }

    @Test
    public void testSearchPipelineConfigurationErrors() throws IOException {
        Assume.assumeTrue("search pipelines are OpenSearch's", ENGINE.hasSearchPipelines());
        String base = "{\"request_processors\":[{\"text_hybrid_rerank\":{\"model\":\"" + MODEL + "\",\"vector_field\":\"vec\"%s}}]}";
        String[][] cases = {
            { String.format(java.util.Locale.ROOT, base, ",\"first_stage\":\"sum\""), "must be one of [hybrid_rrf, bool], got [sum]" },
            { String.format(java.util.Locale.ROOT, base, ",\"first_stage\":\"bool\",\"k\":0"), "[text_knn] [k] must be in [1, 10000], got [0]" },
            { String.format(java.util.Locale.ROOT, base, ",\"first_stage\":\"bool\",\"rerank\":{\"model\":\"overlap-logit\"}"),
                "[cross_encoder] requires at least one field in [fields]" },
            { String.format(java.util.Locale.ROOT, base, ",\"first_stage\":\"bool\",\"hybrid\":{\"rank_constant\":1}"),
                "applies to [first_stage] [hybrid_rrf] only" } };
        for (String[] c : cases) {
            ErrorResponse e = callExpectingError("PUT", "/_search/pipeline/bad", c[0]);
            assertEquals(c[1] + " -> " + e.text(), 400, e.status());
            assertTrue(c[1] + " not in " + e.text(), e.text().contains(c[1]));
        }
    }
}
