package org.shardrerank;

import org.junit.ClassRule;
import org.junit.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Each shard rescores its own window and the coordinator merges the shards by score: on three nodes, a 3-shard index
 * with a replica ranks like a 1-shard index, explain reports every hit's score exactly under concurrent searches, and a
 * shard that falls back to its first stage ranks below every reranked hit and marks the response timed out.
 */
public class MergeSafetyIT extends RerankRestTestCase {
    @ClassRule
    public static final LocalCluster CLUSTER = new LocalCluster(System.getProperty("tests.merge.dir", "target/integ-merge"),
        Integer.getInteger("tests.merge.http.port", 9266), 3, "");
    private static final String[] WORDS = { "goldfish", "grow", "large", "tank", "pond", "koi", "water", "bowl", "fins", "scales" };

    @Override
    protected String hosts() {
        return CLUSTER.hosts();
    }

    /** 48 documents of distinct lengths (5 to 52 words), so the fixture model never ties. */
    private void createIndex(String name, int shards, int replicas) throws IOException {
        call("PUT", "/" + name, "{\"settings\":{\"number_of_shards\":" + shards + ",\"number_of_replicas\":" + replicas + "},"
            + "\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < 48; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 5 + i; w++) {
                text.append(WORDS[(i * 7 + w * w * 3) % WORDS.length]).append(' ');
            }
            docs.put("d" + i, "{\"text\":\"" + text + "\"}");
        }
        bulk(name, docs);
        call("GET", "/_cluster/health/" + name + "?wait_for_status=green&timeout=60s", null);
    }

    private static String search(String query, int size, int window, String ceOptions) {
        return "{\"size\":" + size + ",\"query\":{\"match\":{\"text\":\"" + query + "\"}},\"rescore\":{\"window_size\":" + window + ","
            + "\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"goldfish grow large\",\"fields\":[\"text\"]" + ceOptions + "}}}";
    }

    private static final String COMBINE = ",\"score_mode\":\"combine\",\"first_stage_scale\":1.5,\"first_stage_weight\":0.5";

    private List<String> ranking(String index, String body) throws IOException {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> h : hits(call("POST", "/" + index + "/_search?search_type=dfs_query_then_fetch", body))) {
            out.add(h.get("_id") + "=" + h.get("_score"));
        }
        return out;
    }

    @Test
    public void testThreeShardsRankLikeOneShardInBothModes() throws Exception {
        createIndex("one", 1, 0);
        createIndex("three", 3, 1);
        for (String mode : new String[] { "", COMBINE }) {
            // dfs: the first stage (BM25) sees the same statistics on both indices, so any difference would be the rescorer's
            List<String> expected = ranking("one", search("goldfish koi", 10, 48, mode));
            assertEquals(10, expected.size());
            assertEquals("mode [" + mode + "]", expected, ranking("three", search("goldfish koi", 10, 48, mode)));
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testExplainEqualsTheScoreOfEveryHitUnderConcurrentSearches() throws Exception {
        createIndex("explained", 3, 1);
        String[] queries = { "goldfish", "koi pond", "tank water", "fins scales", "bowl", "grow large" };
        ExecutorService clients = Executors.newFixedThreadPool(queries.length);
        String[] copies = copyPreferences(); // each round reads other copies of the shards
        try {
            for (String mode : new String[] { "", COMBINE }) {
                // window 5 of a shard's ~16 documents and 20 hits: hits outside the windows are explained too
                List<Future<Map<String, Object>>> responses = new ArrayList<>();
                for (int round = 0; round < 2; round++) {
                    for (String q : queries) {
                        String preference = copies[round];
                        responses.add(clients.submit(() -> call("POST", "/explained/_search?explain=true&preference=" + preference,
                            search(q, 20, 5, mode))));
                    }
                }
                int compared = 0;
                for (Future<Map<String, Object>> f : responses) {
                    for (Map<String, Object> hit : hits(f.get(60, TimeUnit.SECONDS))) {
                        Map<String, Object> explanation = (Map<String, Object>) hit.get("_explanation");
                        assertEquals(hit.get("_id") + " in mode [" + mode + "]: " + explanation, hit.get("_score"), explanation.get("value"));
                        compared++;
                    }
                }
                assertTrue(compared >= 100);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testAShardThatFallsBackRanksBelowEveryRerankedHitAndTheResponseSaysSo() throws Exception {
        call("PUT", "/fallback", "{\"settings\":{\"number_of_shards\":3,\"number_of_replicas\":0},"
            + "\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        call("GET", "/_cluster/health/fallback?wait_for_status=green&timeout=60s", null);
        Map<Integer, String> routingByShard = new HashMap<>();
        for (int r = 0; routingByShard.size() < 3 && r < 1000; r++) {
            Map<String, Object> shards = call("GET", "/fallback/_search_shards?routing=r" + r, null);
            int shard = ((Number) ((List<Map<String, Object>>) ((List<Object>) shards.get("shards")).get(0)).get(0).get("shard")).intValue();
            routingByShard.putIfAbsent(shard, "r" + r);
        }
        assertEquals(3, routingByShard.size());
        // shard 0 holds 300 long documents (64 windows each, one model run per window: 19,200 runs, seconds even on a fast
        // machine); shards 1 and 2 one short document each (one run)
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            body.append(index("long" + i, routingByShard.get(0), "goldfish ".repeat(1 + i % 3) + "filler words ".repeat(1500)));
        }
        body.append(index("short1", routingByShard.get(1), "goldfish grow large in a tank"));
        body.append(index("short2", routingByShard.get(2), "goldfish in a bowl"));
        bulkLines(body.toString());

        Map<String, Object> statsBefore = nodeTotals();
        String rerank = "{\"size\":302,\"query\":{\"match\":{\"text\":\"goldfish\"}},\"rescore\":{\"window_size\":300,\"cross_encoder\":"
            + "{\"model\":\"overlap-logit\",\"query_text\":\"goldfish grow large\",\"fields\":[\"text\"],\"max_chunks\":64,\"batch_size\":1,"
            + "\"timeout\":\"%s\"}}}";
        Map<String, Object> r = call("POST", "/fallback/_search", String.format(Locale.ROOT, rerank, "400ms"));
        assertEquals("the response says it is partial: " + r.get("_shards"), true, r.get("timed_out"));
        List<Map<String, Object>> hits = hits(r);
        assertEquals(302, hits.size());
        assertEquals("the reranked short documents lead", List.of("short1", "short2"), ids(r).subList(0, 2));
        double previous = Double.MAX_VALUE;
        for (Map<String, Object> hit : hits.subList(2, hits.size())) {
            double score = ((Number) hit.get("_score")).doubleValue();
            assertTrue(hit.toString(), score < -1000 && score > -2000 && score <= previous);
            assertEquals(hit.toString(), List.of("timeout"), ((Map<String, Object>) hit.get("fields")).get("_rerank_fallback"));
            previous = score;
        }
        Map<String, Object> statsAfter = nodeTotals();
        assertTrue(((Number) statsAfter.get("rescore_fallbacks")).longValue() > ((Number) statsBefore.get("rescore_fallbacks")).longValue());

        Map<String, Object> patient = call("POST", "/fallback/_search", String.format(Locale.ROOT, rerank, "60s"));
        assertEquals(false, patient.get("timed_out"));
        for (Map<String, Object> hit : hits(patient)) {
            assertTrue(hit.toString(), ((Number) hit.get("_score")).doubleValue() >= -1000);
        }
    }

    private static String index(String id, String routing, String text) {
        return "{\"index\":{\"_index\":\"fallback\",\"_id\":\"" + id + "\",\"routing\":\"" + routing + "\"}}\n{\"text\":\"" + text + "\"}\n";
    }

    /** Counters summed over the nodes. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> nodeTotals() throws IOException {
        Map<String, Object> nodes = (Map<String, Object>) call("GET", ENGINE.restPrefix() + "/stats", null).get("nodes");
        Map<String, Object> sum = new HashMap<>();
        for (Object n : nodes.values()) {
            ((Map<String, Object>) n).forEach((k, v) -> {
                if (v instanceof Number num) {
                    sum.merge(k, num.longValue(), (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
                }
            });
        }
        return sum;
    }
}
