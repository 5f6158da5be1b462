package org.shardrerank;

import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded load test against 127.0.0.1 that stops by itself: {@code tests.load.threads} clients (8) send rerank
 * searches for {@code tests.load.seconds} (10 in CI; 60 for the full run: see README). Every answer must be
 * complete (the same number of hits as a quiet search) or a 429; heap and the node's RSS must stay bounded.
 */
public class LoadIT extends RerankRestTestCase {

    @Test
    public void testConcurrentRerankSearches() throws Exception {
        int threads = Integer.getInteger("tests.load.threads", 8);
        int seconds = Integer.getInteger("tests.load.seconds", 10);
        call("PUT", "/load", "{\"settings\":{\"number_of_shards\":3,\"number_of_replicas\":0" + ENGINE.vectorIndexSettings() + "},"
            + "\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"},\"vector\":" + ENGINE.vectorField(4, Engine.Similarity.L2) + "}}}");
        String[] words = { "goldfish", "grow", "tank", "pond", "koi", "water", "light", "food", "large", "small" };
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 20 + i % 40; w++) {
                text.append(words[(i * 7 + w * 3) % words.length]).append(' ');
            }
            docs.put("d" + i, "{\"text\":\"" + text + "\",\"vector\":[" + (i % 7) + "," + (i % 5) + "," + (i % 3) + "," + (i % 11) + "]}");
        }
        bulk("load", docs);
        // hybrid_rrf (BM25 + knn) on each shard, then the cross_encoder over each shard's fused top 50
        String body = "{\"size\":20,\"query\":{\"hybrid_rrf\":{\"queries\":[{\"match\":{\"text\":\"%s\"}},"
            + ENGINE.knnQuery("vector", "[1,2,1,3]", 50, "") + "],\"window_size\":50}},"
            + "\"rescore\":{\"window_size\":50,\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"%s\",\"fields\":[\"text\"]}}}";
        String[] queries = { "goldfish grow", "large tank", "koi pond water", "food light", "small goldfish" };
        Map<String, Integer> expectedHits = new LinkedHashMap<>();
        for (String q : queries) {
            expectedHits.put(q, hits(call("POST", "/load/_search", String.format(java.util.Locale.ROOT, body, q, q))).size());
        }
        long heapBefore = heapUsed();
        long rssBefore = nodeRssKb();

        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ok = new AtomicInteger(), rejected = new AtomicInteger(), lost = new AtomicInteger();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            running.add(clients.submit(() -> {
                int i = offset;
                while (System.nanoTime() < deadline) {
                    String q = queries[i++ % queries.length];
                    long started = System.nanoTime();
                    try {
                        RestResponse response = request("POST", "/load/_search", String.format(java.util.Locale.ROOT, body, q, q));
                        if (response.ok()) {
                            latencies.add((System.nanoTime() - started) / 1e6);
                            if (hits(response.map()).size() != expectedHits.get(q)) {
                                lost.incrementAndGet();
                            }
                            ok.incrementAndGet();
                        } else if (response.status() == 429) {
                            rejected.incrementAndGet();
                        } else {
                            errors.add(response.status() + " " + response.body());
                        }
                    } catch (IOException e) {
                        errors.add(e.toString());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(seconds + 120L, TimeUnit.SECONDS);
        }
        clients.shutdown();

        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p50 = sorted.get(sorted.size() / 2);
        double p99 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
        long heapAfter = heapUsed();
        long rssAfter = nodeRssKb();
        String summary = String.format(java.util.Locale.ROOT,
            "load: %d clients x %d s: %d ok, %d rejected (429), %d errors, %d incomplete; p50 %.1f ms, p99 %.1f ms; "
                + "heap %d -> %d MB; node RSS %d -> %d MB",
            threads, seconds, ok.get(), rejected.get(), errors.size(), lost.get(), p50, p99, heapBefore >> 20, heapAfter >> 20,
            rssBefore >> 10, rssAfter >> 10);
        System.out.println(summary);
        assertTrue("errors: " + errors.subList(0, Math.min(3, errors.size())), errors.isEmpty());
        assertEquals("no answer may lose hits", 0, lost.get());
        assertTrue("most searches succeed", ok.get() > rejected.get());
        assertTrue("RSS stays bounded: " + summary, rssAfter == 0 || rssAfter < rssBefore + 512 * 1024);
    }

    /**
     * Reranked searches while four clients bulk-index passages through a text_vectors pipeline: with default settings
     * no search falls back (ingest embedding yields to search in the inference scheduler). Reports p50/p99 alone and
     * during the ingest; the ratio on real models is measured by bench/ingest_contention.py.
     */
    @SuppressWarnings("unchecked")
    @Test
    public void testRerankedSearchesWhileIngestEmbeds() throws Exception {
        int seconds = Integer.getInteger("tests.load.seconds", 10);
        call("PUT", "/ingest-load-docs", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0},"
            + "\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        String[] words = { "goldfish", "grow", "tank", "pond", "koi", "water", "light", "food", "large", "small" };
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 20 + i % 30; w++) {
                text.append(words[(i * 3 + w * 7) % words.length]).append(' ');
            }
            docs.put("d" + i, "{\"text\":\"" + text + "\"}");
        }
        bulk("ingest-load-docs", docs);
        call("PUT", "/_ingest/pipeline/ingest-load-vectors", "{\"processors\":[{\"text_vectors\":{\"model\":\"all-minilm-l6-v2\","
            + "\"fields\":[\"text\"],\"target_field\":\"vector\"}}]}");
        call("PUT", "/ingest-load-vectors", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0" + ENGINE.vectorIndexSettings() + "},"
            + "\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"},\"vector\":" + ENGINE.vectorField(384, Engine.Similarity.COSINE) + "}}}");
        String search = "{\"size\":10,\"query\":{\"match\":{\"text\":\"%s\"}},\"rescore\":{\"window_size\":30,"
            + "\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"%s\",\"fields\":[\"text\"]}}}";
        String[] queries = { "goldfish grow", "large tank", "koi pond water", "food light", "small goldfish" };

        SearchRun alone = searchFor(seconds, search, queries);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger embedded = new AtomicInteger();
        List<String> ingestErrors = Collections.synchronizedList(new ArrayList<>());
        ExecutorService ingesters = Executors.newFixedThreadPool(4);
        for (int w = 0; w < 4; w++) {
            int worker = w;
            ingesters.submit(() -> {
                for (int n = 0; stop.get() == false; n += 100) {
                    StringBuilder body = new StringBuilder();
                    for (int j = 0; j < 100; j++) {
                        body.append("{\"index\":{\"_index\":\"ingest-load-vectors\",\"_id\":\"w").append(worker).append('-').append(n + j)
                            .append("\"}}\n{\"text\":\"passage ").append(n + j).append(" about ").append(words[j % words.length])
                            .append(" and ").append(words[(j * 3) % words.length]).append(" in some water with light and food\"}\n");
                    }
                    try {
                        RestResponse answer = request("POST", "/_bulk?pipeline=ingest-load-vectors", body.toString(),
                            Map.of("Content-Type", "application/x-ndjson"));
                        if (answer.ok() == false) {
                            throw new ResponseException("POST", "/_bulk", answer);
                        }
                        Map<String, Object> r = answer.map();
                        if (Boolean.TRUE.equals(r.get("errors"))) {
                            ingestErrors.add(r.toString().substring(0, 300));
                        }
                        embedded.addAndGet(100);
                    } catch (IOException e) {
                        ingestErrors.add(e.toString());
                    }
                }
                return null;
            });
        }
        Thread.sleep(2000); // the bulks are running
        SearchRun busy = searchFor(seconds, search, queries);
        stop.set(true);
        ingesters.shutdown();
        assertTrue(ingesters.awaitTermination(120, TimeUnit.SECONDS));
        String summary = String.format(java.util.Locale.ROOT, "ingest contention: alone %d searches p50 %.1f ms p99 %.1f ms; "
            + "during 4 x bulk(100) text_vectors ingest (%d passages embedded) %d searches p50 %.1f ms p99 %.1f ms; p50 ratio %.2f",
            alone.latencies.size(), alone.p(50), alone.p(99), embedded.get(), busy.latencies.size(), busy.p(50), busy.p(99),
            busy.p(50) / alone.p(50));
        System.out.println(summary);
        assertTrue("ingest failed: " + ingestErrors, ingestErrors.isEmpty());
        assertTrue("the ingest ran during the searches", embedded.get() > 0);
        assertEquals("hits that fell back alone: " + summary, 0, alone.fallbacks);
        assertEquals("hits that fell back during the ingest: " + summary, 0, busy.fallbacks);
    }

    private record SearchRun(List<Double> latencies, int fallbacks) {
        double p(int percentile) {
            List<Double> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * percentile / 100.0) - 1));
        }
    }

    /** One client searching back to back for {@code seconds}. */
    @SuppressWarnings("unchecked")
    private SearchRun searchFor(int seconds, String template, String[] queries) throws IOException {
        List<Double> latencies = new ArrayList<>();
        int fallbacks = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; System.nanoTime() < deadline; i++) {
            String q = queries[i % queries.length];
            long started = System.nanoTime();
            Map<String, Object> r = call("POST", "/ingest-load-docs/_search", String.format(java.util.Locale.ROOT, template, q, q));
            latencies.add((System.nanoTime() - started) / 1e6);
            for (Map<String, Object> hit : hits(r)) {
                Map<String, Object> fields = (Map<String, Object>) hit.get("fields");
                if (fields != null && fields.containsKey("_rerank_fallback")) {
                    fallbacks++;
                }
            }
        }
        return new SearchRun(latencies, fallbacks);
    }

    @SuppressWarnings("unchecked")
    private long heapUsed() throws IOException {
        Map<String, Object> nodes = (Map<String, Object>) call("GET", "/_nodes/stats/jvm", null).get("nodes");
        Map<String, Object> node = (Map<String, Object>) nodes.values().iterator().next();
        Map<String, Object> mem = (Map<String, Object>) ((Map<String, Object>) node.get("jvm")).get("mem");
        return ((Number) mem.get("heap_used_in_bytes")).longValue();
    }

    /** The node's resident memory from /proc (0 when the node runs elsewhere). */
    private static long nodeRssKb() throws IOException {
        String dir = System.getProperty("tests.node.dir");
        if (dir == null || Files.exists(Path.of(dir, "nodes", "node-1", "node.pid")) == false) {
            return 0;
        }
        String pid = Files.readString(Path.of(dir, "nodes", "node-1", "node.pid")).trim();
        Path status = Path.of("/proc", pid, "status");
        if (Files.exists(status) == false) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return 0;
    }
}
