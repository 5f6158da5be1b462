package org.shardrerank;

import org.junit.Assume;
import org.junit.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The hybrid_rrf query on a real node (OpenSearch 3.6.0 with the k-NN plugin, or Elasticsearch 9.5.3): BM25 and k-NN
 * fused per shard, checked against RRF computed here from the sub-queries run alone on each shard.
 */
public class HybridRrfIT extends RerankRestTestCase {
    private static final String INDEX = "hybrid";
    private static final String[] WORDS = { "goldfish", "grow", "pond", "water", "tank", "large", "small", "cold" };
    private static final int DOCS = 48;
    private static final float[] QUERY_VECTOR = { 1, 0, 0, 0 };

    private static String text(int i) {
        StringBuilder b = new StringBuilder("doc" + i);
        int bits = (i * 37 + 11) % 256;
        for (int w = 0; w < WORDS.length; w++) {
            if ((bits >> w & 1) == 1) {
                b.append(' ').append((WORDS[w] + " ").repeat(1 + (i + w) % 3).trim());
            }
        }
        return b.toString();
    }

    private static float[] vector(int i) {
        double angle = i * 0.21;
        return new float[] { (float) Math.cos(angle), (float) Math.sin(angle), (i % 4) * 0.1f, (i % 5) * 0.05f };
    }

    private static String tag(int i) {
        return i % 2 == 0 ? "even" : "odd";
    }

    private static String json(float[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(v[i]);
        }
        return b.append(']').toString();
    }

    /** {@link #DOCS} documents in three refreshes (so shards have several segments), with a nested field. */
    private void createIndex(int shards) throws IOException {
        call("PUT", "/" + INDEX, "{\"settings\":{\"number_of_shards\":" + shards + ",\"number_of_replicas\":0" + ENGINE.vectorIndexSettings() + "},"
            + "\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"},\"title\":{\"type\":\"text\"},\"tag\":{\"type\":\"keyword\"},"
            + "\"embedding\":" + ENGINE.vectorField(4, Engine.Similarity.L2) + ","
            + "\"comments\":{\"type\":\"nested\",\"properties\":{\"note\":{\"type\":\"text\"}}}}}}");
        for (int batch = 0; batch < 3; batch++) {
            Map<String, String> docs = new LinkedHashMap<>();
            for (int i = batch; i < DOCS; i += 3) {
                String comments = i % 4 == 0 ? ",\"comments\":[{\"note\":\"fish " + (i % 8 == 0 ? "tank" : "pond") + "\"}]" : "";
                docs.put(Integer.toString(i), "{\"text\":\"" + text(i) + "\",\"title\":\"title " + WORDS[i % WORDS.length] + "\",\"tag\":\""
                    + tag(i) + "\",\"embedding\":" + json(vector(i)) + comments + "}");
            }
            bulk(INDEX, docs);
        }
    }

    private static String knn(int k) {
        return knn(k, "");
    }

    /** The engine's k-NN query on the embedding field; {@code extra} goes next to the vector and k. */
    private static String knn(int k, String extra) {
        return ENGINE.knnQuery("embedding", json(QUERY_VECTOR), k, extra);
    }

    private static final String MATCH = "{\"match\":{\"text\":\"goldfish grow pond\"}}";

    private static String hybrid(List<String> queries, int window, String extra) {
        return "{\"hybrid_rrf\":{\"queries\":[" + String.join(",", queries) + "],\"window_size\":" + window + extra + "}}";
    }

    /** RRF computed from the sub-queries run alone on one shard: id to [sum, best rank]. */
    private Map<String, double[]> expectedRrf(String preference, List<String> queries, int window, int k, float[] weights) throws IOException {
        Map<String, double[]> fused = new HashMap<>();
        for (int q = 0; q < queries.size(); q++) {
            List<String> ids = ids(search(preference, "{\"size\":" + window + ",\"query\":" + queries.get(q) + "}"));
            for (int rank = 1; rank <= ids.size(); rank++) {
                double[] e = fused.computeIfAbsent(ids.get(rank - 1), id -> new double[] { 0, Integer.MAX_VALUE });
                e[0] += weights[q] / ((double) k + rank);
                e[1] = Math.min(e[1], rank);
            }
        }
        return fused;
    }

    private Map<String, Object> search(String preference, String body) throws IOException {
        return call("POST", "/" + INDEX + "/_search" + (preference == null ? "" : "?preference=" + preference), body);
    }

    private static double score(Map<String, Object> hit) {
        return ((Number) hit.get("_score")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static long total(Map<String, Object> response) {
        return ((Number) ((Map<String, Object>) ((Map<String, Object>) response.get("hits")).get("total")).get("value")).longValue();
    }

    /** The hits carry the expected RRF sums, every fused document is there, and the order is by sum, then best rank. */
    private static void assertFused(Map<String, double[]> expected, List<Map<String, Object>> hits) {
        assertEquals(expected.keySet(), hits.stream().map(h -> (String) h.get("_id")).collect(Collectors.toSet()));
        for (int i = 0; i < hits.size(); i++) {
            double[] e = expected.get((String) hits.get(i).get("_id"));
            assertEquals(hits.get(i).toString(), e[0], score(hits.get(i)), 1e-6 * e[0]);
            if (i > 0) {
                double[] previous = expected.get((String) hits.get(i - 1).get("_id"));
                assertTrue("served scores strictly decrease", score(hits.get(i)) < score(hits.get(i - 1)));
                assertTrue("by sum", e[0] <= previous[0]);
                assertTrue("equal sums: by best rank", e[0] < previous[0] || e[1] >= previous[1]);
            }
        }
    }

    @Test
    public void testBm25AndKnnFusedPerShardAsComputedFromEachSubQueryAlone() throws IOException {
        createIndex(3);
        int window = 6;
        List<String> queries = List.of(MATCH, knn(window));
        Map<String, Double> allShards = new HashMap<>();
        for (int shard = 0; shard < 3; shard++) {
            String preference = "_shards:" + shard;
            Map<String, double[]> expected = expectedRrf(preference, queries, window, 60, new float[] { 1, 1 });
            assertTrue("both lists bring documents of their own on shard " + shard, expected.size() > window);
            Map<String, Object> r = search(preference, "{\"size\":100,\"query\":" + hybrid(queries, window, ",\"rank_constant\":60") + "}");
            assertEquals(expected.size(), total(r));
            assertFused(expected, hits(r));
            expected.forEach((id, e) -> allShards.put(id, e[0]));
        }
        // the coordinator merges the shards' fused lists by score: ranks are per shard, not global
        Map<String, Object> all = search(null, "{\"size\":100,\"query\":" + hybrid(queries, window, "") + "}");
        assertEquals(allShards.size(), total(all));
        assertEquals(allShards.keySet(), Set.copyOf(ids(all)));
        double previous = Double.MAX_VALUE;
        for (Map<String, Object> hit : hits(all)) {
            assertEquals(allShards.get((String) hit.get("_id")), score(hit), 1e-6 * score(hit));
            assertTrue(score(hit) <= previous);
            previous = score(hit);
        }
        assertEquals("repeated searches give the same order", ids(all), ids(search(null, "{\"size\":100,\"query\":" + hybrid(queries, window, "") + "}")));
    }

    @Test
    public void testWeightsRankConstantAndOtherSubQueryTypes() throws IOException {
        createIndex(1);
        int window = 6;
        List<String> queries = List.of(
            "{\"multi_match\":{\"query\":\"goldfish tank\",\"fields\":[\"text\",\"title^2\"]}}",
            "{\"bool\":{\"should\":[{\"term\":{\"text\":\"cold\"}},{\"term\":{\"tag\":\"odd\"}}]}}",
            "{\"nested\":{\"path\":\"comments\",\"query\":{\"match\":{\"comments.note\":\"tank\"}}}}",
            "{\"term\":{\"text\":\"water\"}}",
            knn(window));
        float[] weights = { 1, 0.5f, 2, 1, 3 };
        Map<String, double[]> expected = expectedRrf(null, queries, window, 5, weights);
        Map<String, Object> r = search(null, "{\"size\":100,\"query\":" + hybrid(queries, window, ",\"rank_constant\":5,\"weights\":[1,0.5,2,1,3]") + "}");
        assertEquals(expected.size(), total(r));
        assertFused(expected, hits(r));
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testPagingTotalHitsAggregationsAndPostFilter() throws IOException {
        createIndex(2);
        String query = hybrid(List.of(MATCH, knn(5)), 5, "");
        Map<String, Object> full = search(null, "{\"size\":100,\"track_total_hits\":true,\"query\":" + query
            + ",\"aggs\":{\"tags\":{\"terms\":{\"field\":\"tag\"}}}}");
        List<String> all = ids(full);
        assertEquals("total hits count the fused documents", all.size(), total(full));
        assertTrue(all.size() <= 2 * 2 * 5);
        Map<String, Long> tags = new HashMap<>();
        for (Map<String, Object> b : (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>) full.get("aggregations"))
            .get("tags")).get("buckets")) {
            tags.put((String) b.get("key"), ((Number) b.get("doc_count")).longValue());
        }
        Map<String, Long> expectedTags = all.stream().collect(Collectors.groupingBy(id -> tag(Integer.parseInt(id)), Collectors.counting()));
        assertEquals("aggregations count the fused set, not the index", expectedTags, tags);

        List<String> paged = new ArrayList<>();
        for (int from = 0; from < all.size(); from += 3) {
            paged.addAll(ids(search(null, "{\"from\":" + from + ",\"size\":3,\"query\":" + query + "}")));
        }
        assertEquals(all, paged);

        Map<String, Object> posted = search(null, "{\"size\":100,\"query\":" + query + ",\"post_filter\":{\"term\":{\"tag\":\"even\"}},"
            + "\"aggs\":{\"tags\":{\"terms\":{\"field\":\"tag\"}}}}");
        assertEquals(all.stream().filter(id -> Integer.parseInt(id) % 2 == 0).toList(), ids(posted));
        assertEquals(full.get("aggregations"), posted.get("aggregations"));

        Map<String, Object> top3 = search(null, "{\"size\":3,\"track_total_hits\":true,\"query\":" + query + "}");
        assertEquals(all.subList(0, 3), ids(top3));
        assertEquals(all.size(), total(top3));
    }

    /** The k nearest even documents by brute force: what knn with an "even" pre-filter must return. */
    private static List<String> nearest(int k, String tag) {
        return java.util.stream.IntStream.range(0, DOCS).filter(i -> tag == null || tag(i).equals(tag)).boxed()
            .sorted(Comparator.comparingDouble(i -> distance(vector(i), QUERY_VECTOR))).limit(k).map(i -> Integer.toString(i)).toList();
    }

    private static double distance(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return d;
    }

    @Test
    public void testFilterAppliesToEverySubQueryAndInsideKnn() throws IOException {
        createIndex(1);
        List<String> nearest = nearest(3, null);
        assertTrue("the fixture's nearest neighbours mix tags", nearest.stream().anyMatch(id -> Integer.parseInt(id) % 2 == 1));
        String noText = "{\"match\":{\"text\":\"absent\"}}";
        Map<String, Object> r = search(null, "{\"size\":10,\"query\":" + hybrid(List.of(noText, knn(3)), 3, ",\"filter\":{\"term\":{\"tag\":\"even\"}}") + "}");
        assertEquals("k even neighbours, not the even ones among the k nearest", Set.copyOf(nearest(3, "even")), Set.copyOf(ids(r)));

        // and-ed with the knn query's own filter
        String ownFilter = knn(3, ",\"filter\":{\"terms\":{\"_id\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\"]}}");
        Map<String, Object> both = search(null, "{\"size\":10,\"query\":" + hybrid(List.of(noText, ownFilter), 3, ",\"filter\":{\"term\":{\"tag\":\"even\"}}") + "}");
        List<String> expected = java.util.stream.IntStream.of(0, 2, 4, 6).boxed()
            .sorted(Comparator.comparingDouble(i -> distance(vector(i), QUERY_VECTOR))).limit(3).map(i -> Integer.toString(i)).toList();
        assertEquals(expected, ids(both));

        Map<String, Object> lexical = search(null, "{\"size\":10,\"query\":" + hybrid(List.of(MATCH, noText), 10, ",\"filter\":{\"term\":{\"tag\":\"odd\"}}") + "}");
        List<String> oddMatches = ids(search(null, "{\"size\":10,\"query\":{\"bool\":{\"must\":" + MATCH + ",\"filter\":{\"term\":{\"tag\":\"odd\"}}}}}"));
        assertEquals("the filter applies before the window: 10 odd documents, not the odd ones of the top 10", oddMatches, ids(lexical));
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testExplainAndMatchedQueries() throws IOException {
        createIndex(1);
        String lexical = "{\"match\":{\"text\":{\"query\":\"goldfish grow pond\",\"_name\":\"lexical\"}}}";
        String vector = knn(4, ",\"_name\":\"vector\"");
        Map<String, Object> r = search(null, "{\"size\":100,\"explain\":true,\"query\":" + hybrid(List.of(lexical, vector), 4, "") + "}");
        Set<String> lexicalTop = Set.copyOf(ids(search(null, "{\"size\":4,\"query\":" + MATCH + "}")));
        Set<String> vectorTop = Set.copyOf(ids(search(null, "{\"size\":4,\"query\":" + knn(4) + "}")));
        assertTrue("some documents come from one list only", lexicalTop.containsAll(vectorTop) == false && vectorTop.containsAll(lexicalTop) == false);
        for (Map<String, Object> hit : hits(r)) {
            String id = (String) hit.get("_id");
            Map<String, Object> explanation = (Map<String, Object>) hit.get("_explanation");
            assertEquals(score(hit), ((Number) explanation.get("value")).doubleValue(), 1e-7);
            List<Map<String, Object>> parts = (List<Map<String, Object>>) fusedExplanation(explanation).get("details");
            assertEquals(2, parts.size());
            assertEquals(lexicalTop.contains(id), parts.get(0).get("description").toString().contains(": rank "));
            assertEquals(vectorTop.contains(id), parts.get(1).get("description").toString().contains(": rank "));
            if (lexicalTop.contains(id) == false) {
                assertTrue(parts.get(0).toString(), parts.get(0).get("description").toString().endsWith("not in its top 4"));
            }
            List<String> matched = (List<String>) hit.getOrDefault("matched_queries", List.of());
            assertEquals(hit.toString(), vectorTop.contains(id), matched.contains("vector"));
            if (lexicalTop.contains(id)) {
                assertTrue(hit.toString(), matched.contains("lexical"));
            }
        }
    }

    /** The fused score's explanation node (OpenSearch wraps the query, e.g. in "parents only" for nested fields). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> fusedExplanation(Map<String, Object> explanation) {
        String description = explanation.get("description").toString();
        if (description.startsWith("hybrid_rrf") && description.endsWith("sum of:")) {
            return explanation;
        }
        for (Map<String, Object> detail : (List<Map<String, Object>>) explanation.get("details")) {
            Map<String, Object> found = fusedExplanation(detail);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The cross_encoder rescorer receives the fused set: its order is the model's, as if it were handed those ids. */
    @Test
    public void testRescoredByCrossEncoder() throws IOException {
        createIndex(3);
        String query = hybrid(List.of(MATCH, knn(5)), 5, "");
        List<String> fused = ids(search(null, "{\"size\":100,\"query\":" + query + "}"));
        String rescore = ",\"rescore\":{\"window_size\":100,\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"goldfish grow in a pond\","
            + "\"fields\":[\"text\"]}}";
        Map<String, Object> reranked = search(null, "{\"size\":100,\"query\":" + query + rescore + "}");
        assertEquals(Set.copyOf(fused), Set.copyOf(ids(reranked)));
        String idsQuery = "{\"ids\":{\"values\":[" + fused.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(",")) + "]}}";
        Map<String, Object> direct = search(null, "{\"size\":100,\"query\":" + idsQuery + rescore + "}");
        Map<String, Double> model = hits(direct).stream().collect(Collectors.toMap(h -> (String) h.get("_id"), HybridRrfIT::score));
        double previous = Double.MAX_VALUE;
        for (Map<String, Object> hit : hits(reranked)) {
            assertEquals(model.get((String) hit.get("_id")), score(hit), 1e-5);
            assertTrue(score(hit) <= previous);
            previous = score(hit);
        }
    }

    @Test
    public void testSameResultsWithConcurrentSegmentSearch() throws IOException {
        Assume.assumeTrue("index.search.concurrent_segment_search.mode is an OpenSearch index setting", ENGINE == Engine.OPENSEARCH);
        createIndex(2);
        String body = "{\"size\":100,\"query\":" + hybrid(List.of(MATCH, knn(7)), 7, "") + "}";
        call("PUT", "/" + INDEX + "/_settings", "{\"index.search.concurrent_segment_search.mode\":\"none\"}");
        Map<String, Object> sequential = search(null, body);
        call("PUT", "/" + INDEX + "/_settings", "{\"index.search.concurrent_segment_search.mode\":\"all\"}");
        Map<String, Object> concurrent = search(null, body);
        assertEquals(hits(sequential).stream().map(h -> h.get("_id") + "=" + h.get("_score")).toList(),
            hits(concurrent).stream().map(h -> h.get("_id") + "=" + h.get("_score")).toList());
        Map<String, Object> profiled = search(null, body.replace("{\"size\":100,", "{\"size\":100,\"profile\":true,"));
        assertTrue(profiled.toString().contains("HybridRrfQuery"));
    }

    private void assertBadRequest(String query, String message) throws IOException {
        ErrorResponse e = callExpectingError("POST", "/" + INDEX + "/_search", "{\"query\":" + query + "}");
        assertEquals(e.text(), 400, e.status());
        assertTrue(e.text(), e.text().contains(message));
    }

    @Test
    public void testBadRequests() throws IOException {
        createIndex(1);
        String two = MATCH + "," + knn(3);
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[]}}", "[hybrid_rrf] requires at least 2 queries in [queries], got [0]");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + MATCH + "]}}", "[hybrid_rrf] requires at least 2 queries in [queries], got [1]");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + two + ",{\"hybrid_rrf\":{\"queries\":[" + two + "]}}]}}",
            "[hybrid_rrf] cannot contain another [hybrid_rrf] query");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + two + "],\"rank_constant\":0}}", "[hybrid_rrf] [rank_constant] must be >= 1, got [0]");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + two + "],\"window_size\":0}}", "[hybrid_rrf] [window_size] must be >= 1, got [0]");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + two + "],\"window_size\":10001}}",
            "[hybrid_rrf] [window_size] must be <= [index.max_result_window] of index [hybrid] (10000), got [10001]");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + two + "],\"weights\":[1]}}",
            "[hybrid_rrf] [weights] needs one weight per query: got [1] weights for [2] queries");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + two + "],\"weights\":[1,-2]}}",
            "[hybrid_rrf] [weights] must be finite numbers > 0, got [-2.0] at position [1]");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + two + "],\"weights\":[\"NaN\",1]}}",
            "[hybrid_rrf] [weights] must be finite numbers > 0, got [NaN] at position [0]");
        assertBadRequest("{\"hybrid_rrf\":{\"queries\":[" + two + "],\"rank_konstant\":3}}", "[hybrid_rrf] unknown field [rank_konstant]");
    }
}
