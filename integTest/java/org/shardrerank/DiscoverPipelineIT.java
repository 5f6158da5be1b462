package org.shardrerank;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code text_hybrid_rerank} default search pipeline under requests shaped as Dashboards Discover sends them, on a
 * log index of 40 lines (message: text, level: keyword, @timestamp: date): a keyword query still filters, hit counts
 * and aggregations are those of the same request without the pipeline ({@code search_pipeline=_none}), and a text
 * query ranks its own matches by hybrid + rerank. OpenSearch only: Elasticsearch has no search pipelines.
 */
public class DiscoverPipelineIT extends RerankRestTestCase {
    private static final String INDEX = "logs";
    private static final String HEADER = "X-Shard-Rerank-Pipeline";
    private static final String RANGE = "{\"range\":{\"@timestamp\":{\"gte\":\"2026-11-01T00:00:00.000Z\",\"lte\":\"2026-11-03T23:59:59.999Z\","
        + "\"format\":\"strict_date_optional_time\"}}}";

    @BeforeClass
    public static void openSearchOnly() {
        Assume.assumeTrue("search pipelines (and Dashboards Discover) are OpenSearch's", ENGINE.hasSearchPipelines());
    }

    /**
     * Line i: day 1 + i / 10, hour i % 10. ERROR when i % 4 == 0 (10 lines): "disk failure on node i ..." (longer as i
     * grows) for i % 8 == 0, "connection timeout to db i failure" for i % 8 == 4. INFO lines mention disk or failure too
     * (i % 4 == 3 has both words), so only the level filter keeps them out.
     */
    private static String line(int i) {
        String level = i % 4 == 0 ? "ERROR" : "INFO";
        String message = switch (i % 4) {
            case 0 -> i % 8 == 0 ? "disk failure on node " + i + " after write".repeat(i / 8) : "connection timeout to db " + i + " failure";
            case 1 -> "disk usage at " + i + " percent";
            case 2 -> "user login " + i;
            default -> "disk failure simulated in test " + i;
        };
        String ts = String.format(Locale.ROOT, "2026-11-%02dT%02d:00:00.000Z", 1 + i / 10, i % 10);
        return "{\"@timestamp\":\"" + ts + "\",\"level\":\"" + level + "\",\"message\":\"" + message + "\"}";
    }

    private void setUpLogs() throws IOException {
        call("PUT", "/_ingest/pipeline/log-vectors", "{\"processors\":[{\"text_vectors\":{\"model\":\"all-minilm-l6-v2\",\"fields\":[\"message\"],"
            + "\"target_field\":\"vec\"}}]}");
        call("PUT", "/_search/pipeline/log-rerank", "{\"request_processors\":[{\"text_hybrid_rerank\":{\"model\":\"all-minilm-l6-v2\","
            + "\"vector_field\":\"vec\",\"k\":5,\"first_stage\":\"hybrid_rrf\",\"hybrid\":{\"window_size\":20},"
            + "\"rerank\":{\"model\":\"overlap-logit\",\"fields\":[\"message\"],\"window_size\":50}}}]}");
        call("PUT", "/" + INDEX, "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0,\"index.knn\":true,"
            + "\"default_pipeline\":\"log-vectors\",\"index.search.default_pipeline\":\"log-rerank\"},"
            + "\"mappings\":{\"properties\":{\"@timestamp\":{\"type\":\"date\"},\"level\":{\"type\":\"keyword\"},\"message\":{\"type\":\"text\"},"
            + "\"vec\":{\"type\":\"knn_vector\",\"dimension\":384,\"method\":{\"name\":\"hnsw\",\"engine\":\"lucene\",\"space_type\":\"cosinesimil\"}}}}}");
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            docs.put(Integer.toString(i), line(i));
        }
        bulk(INDEX, docs);
    }

    /** Discover's request: the query bar's DQL and the filter pills in bool.filter next to the time range, a histogram. */
    private static String discover(String sort, String... filters) {
        return "{\"version\":true,\"size\":500,\"sort\":[" + sort + "],\"track_total_hits\":true,"
            + "\"aggs\":{\"2\":{\"date_histogram\":{\"field\":\"@timestamp\",\"fixed_interval\":\"3h\",\"time_zone\":\"UTC\",\"min_doc_count\":1}},"
            + "\"levels\":{\"terms\":{\"field\":\"level\"}}},"
            + "\"stored_fields\":[\"*\"],\"script_fields\":{},\"docvalue_fields\":[{\"field\":\"@timestamp\",\"format\":\"date_time\"}],"
            + "\"_source\":{\"excludes\":[\"vec\"]},"
            + "\"query\":{\"bool\":{\"must\":[],\"filter\":[" + String.join(",", filters) + "," + RANGE + "],\"should\":[],\"must_not\":[]}},"
            + "\"highlight\":{\"pre_tags\":[\"@opensearch-dashboards-highlighted-field@\"],\"post_tags\":[\"@/opensearch-dashboards-highlighted-field@\"],"
            + "\"fields\":{\"*\":{}},\"fragment_size\":2147483647}}";
    }

    private static final String BY_SCORE = "{\"_score\":{\"order\":\"desc\"}}";
    private static final String BY_TIME = "{\"@timestamp\":{\"order\":\"desc\",\"unmapped_type\":\"boolean\"}}";
    /** DQL {@code level:ERROR}. */
    private static final String LEVEL_ERROR = "{\"bool\":{\"should\":[{\"match\":{\"level\":\"ERROR\"}}],\"minimum_should_match\":1}}";
    /** DQL {@code message:disk failure}. */
    private static final String MESSAGE_DISK_FAILURE = "{\"bool\":{\"should\":[{\"match\":{\"message\":\"disk failure\"}}],\"minimum_should_match\":1}}";
    /** A filter pill level: ERROR. */
    private static final String PILL_ERROR = "{\"match_phrase\":{\"level\":\"ERROR\"}}";

    private record Answer(String header, Map<String, Object> body) {}

    private Answer search(String pipeline, String body) throws IOException {
        String path = "/" + INDEX + "/_search" + (pipeline == null ? "" : "?search_pipeline=" + pipeline);
        RestResponse r = request("POST", path, body);
        if (r.ok() == false) {
            throw new ResponseException("POST", path, r);
        }
        return new Answer(r.header(HEADER), r.map());
    }

    @SuppressWarnings("unchecked")
    private static Object total(Map<String, Object> body) {
        return ((Map<String, Object>) body.get("hits")).get("total");
    }

    @SuppressWarnings("unchecked")
    private static Object aggregation(Map<String, Object> body, String name) {
        return ((Map<String, Object>) ((Map<String, Object>) body.get("aggregations")).get(name)).get("buckets");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(Map<String, Object> hit) {
        return (Map<String, Object>) hit.get("_source");
    }

    private static void assertSameMeaning(Answer plain, Answer piped) {
        assertEquals("hit count", total(plain.body()), total(piped.body()));
        assertEquals("date histogram", aggregation(plain.body(), "2"), aggregation(piped.body(), "2"));
        assertEquals("terms aggregation", aggregation(plain.body(), "levels"), aggregation(piped.body(), "levels"));
        assertEquals("the same documents", Set.copyOf(ids(plain.body())), Set.copyOf(ids(piped.body())));
    }

    @Test
    public void testDiscoverRequestsKeepTheirMeaning() throws IOException {
        setUpLogs();

        // keyword DQL level:ERROR + time range: a filter, not a search text; the request passes through
        Answer plain = search("_none", discover(BY_SCORE, LEVEL_ERROR));
        Answer piped = search(null, discover(BY_SCORE, LEVEL_ERROR));
        assertNull("no pipeline, no header", plain.header());
        assertEquals("passthrough; no clause searches an analysed text field of [logs]: [level] is not text, so the query only filters",
            piped.header());
        assertEquals(Map.of("value", 8, "relation", "eq"), total(piped.body()));
        assertEquals(List.of(Map.of("key", "ERROR", "doc_count", 8)), aggregation(piped.body(), "levels"));
        assertSameMeaning(plain, piped);
        assertEquals("passed through: the same order too", ids(plain.body()), ids(piped.body()));

        // text DQL message:disk failure + a level:ERROR pill + time range: the text ranks inside the original matches
        plain = search("_none", discover(BY_SCORE, MESSAGE_DISK_FAILURE, PILL_ERROR));
        piped = search(null, discover(BY_SCORE, MESSAGE_DISK_FAILURE, PILL_ERROR));
        assertEquals("rewritten; hybrid_rrf + cross_encoder rank the query's own matches", piped.header());
        assertEquals(Map.of("value", 8, "relation", "eq"), total(piped.body()));
        assertSameMeaning(plain, piped);
        List<Map<String, Object>> hits = hits(piped.body());
        for (Map<String, Object> h : hits) {
            assertEquals(h.toString(), "ERROR", source(h).get("level"));
            assertTrue(h.toString(), ((String) source(h).get("@timestamp")).compareTo("2026-11-04") < 0);
            assertNotNull("Discover's highlight still works: " + h, h.get("highlight"));
        }
        // overlap-logit: query word-pieces (disk, failure) found, minus 0.001 x length: both words first, shortest first
        assertEquals(List.of("0", "8", "16", "24"), ids(piped.body()).subList(0, 4));
        assertEquals(Set.of("4", "12", "20", "28"), Set.copyOf(ids(piped.body()).subList(4, 8)));
        assertEquals(2.0, ((Number) hits.get(0).get("_score")).doubleValue(), 0.05);
        List<Double> scores = new ArrayList<>();
        hits.forEach(h -> scores.add(((Number) h.get("_score")).doubleValue()));
        assertEquals("ranked by the cross-encoder", scores.stream().sorted((a, b) -> Double.compare(b, a)).toList(), scores);

        // the same text query sorted by time, Discover's default: passes through, nothing changes
        plain = search("_none", discover(BY_TIME, MESSAGE_DISK_FAILURE, PILL_ERROR));
        piped = search(null, discover(BY_TIME, MESSAGE_DISK_FAILURE, PILL_ERROR));
        assertTrue(piped.header(), piped.header().startsWith("passthrough; the request sorts by something other than [_score] desc"));
        assertSameMeaning(plain, piped);
        assertEquals(ids(plain.body()), ids(piped.body()));

        // the text query alone, no pill: INFO lines with the words match as they do without the pipeline
        plain = search("_none", discover(BY_SCORE, MESSAGE_DISK_FAILURE));
        piped = search(null, discover(BY_SCORE, MESSAGE_DISK_FAILURE));
        assertTrue(piped.header(), piped.header().startsWith("rewritten"));
        assertSameMeaning(plain, piped);
        assertEquals(Map.of("value", 23, "relation", "eq"), total(piped.body()));
    }
}
