package org.shardrerank;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.After;
import org.junit.Assert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Base of the integration tests: plain JUnit 4 talking REST ({@link HttpClient}, JSON through Jackson) to real nodes
 * started by {@code scripts/node.sh}: OpenSearch 3.6.0 with k-NN, or Elasticsearch 9.5.3 ({@link Engine}, system property
 * {@code tests.engine}), each with this plugin installed. No engine test framework is needed.
 *
 * <p>System properties: {@code tests.rest.cluster} (comma-separated {@code host:port}, default 127.0.0.1:9200),
 * {@code tests.rest.user} and {@code tests.rest.password} (basic authentication of every request, for a secured node),
 * {@code tests.rest.timeout.seconds} (per request, default 120).
 *
 * <p>After each test the indices it created (every index whose name does not start with a dot), the ingest pipelines,
 * OpenSearch's search pipelines and persistent and transient cluster settings are removed.
 */
public abstract class RerankRestTestCase extends Assert {
    /** The engine under test. */
    protected static final Engine ENGINE = Engine.current();
    /** Jackson, configured as the tests read JSON: objects as ordered maps, numbers as Integer, Long or Double. */
    protected static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(Long.getLong("tests.rest.timeout.seconds", 120));
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final AtomicInteger nextHost = new AtomicInteger();
    private List<URI> hostUris;

    // ---------------------------------------------------------------- cluster and credentials

    /** The nodes to talk to, {@code host:port[,host:port...]}; a class with a cluster of its own overrides this. */
    protected String hosts() {
        return System.getProperty("tests.rest.cluster", "127.0.0.1:9200");
    }

    /** {@code user:password} sent with every request, or null; from {@code tests.rest.user} and {@code tests.rest.password}. */
    protected String credentials() {
        String user = System.getProperty("tests.rest.user", "");
        return user.isEmpty() || user.startsWith("${") ? null : user + ":" + System.getProperty("tests.rest.password", "");
    }

    private synchronized List<URI> hostUris() {
        if (hostUris == null) {
            List<URI> uris = new ArrayList<>();
            for (String h : hosts().split(",")) {
                if (h.isBlank() == false) {
                    uris.add(URI.create("http://" + h.trim()));
                }
            }
            if (uris.isEmpty()) {
                throw new IllegalStateException("no hosts in [" + hosts() + "]");
            }
            hostUris = uris;
        }
        return hostUris;
    }

    // ---------------------------------------------------------------- requests

    /** An answer: its status, headers and body text. */
    protected record RestResponse(int status, HttpHeaders headers, String body) {
        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The body parsed as a JSON object. */
        public Map<String, Object> map() throws IOException {
            return parse(body);
        }
    }

    /** A non-2xx answer to {@link #call}: an IOException, as the engines' REST clients throw. */
    protected static final class ResponseException extends IOException {
        private final RestResponse response;

        ResponseException(String method, String path, RestResponse response) {
            super(method + " " + path + " answered " + response.status() + ": " + response.body());
            this.response = response;
        }

        public RestResponse response() {
            return response;
        }

        public int status() {
            return response.status();
        }
    }

    /**
     * Two search preferences that read different copies of the shards: primaries and replicas on OpenSearch;
     * Elasticsearch has no such preferences, so the copies on the first and on the last node of the cluster.
     */
    @SuppressWarnings("unchecked")
    protected String[] copyPreferences() throws IOException {
        if (ENGINE == Engine.OPENSEARCH) {
            return new String[] { "_primary", "_replica" };
        }
        List<String> nodeIds = new ArrayList<>(((Map<String, Object>) call("GET", "/_nodes", null).get("nodes")).keySet());
        return new String[] { "_prefer_nodes:" + nodeIds.get(0), "_prefer_nodes:" + nodeIds.get(nodeIds.size() - 1) };
    }

    /** Sends a request (a JSON body or null) and returns the answer, whatever its status. */
    protected RestResponse request(String method, String path, String body) throws IOException {
        return request(method, path, body, Map.of());
    }

    /**
     * Sends a request with extra {@code headers} (a {@code Content-Type} among them replaces application/json) and returns
     * the answer, whatever its status.
     */
    protected RestResponse request(String method, String path, String body, Map<String, String> headers) throws IOException {
        return send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers, credentials());
    }

    /** Sends a request as {@code user} (basic authentication) and returns the answer, whatever its status. */
    protected RestResponse requestAs(String user, String password, String method, String path, String body) throws IOException {
        return send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), Map.of(), user + ":" + password);
    }

    /** Sends raw bytes as the body (e.g. invalid UTF-8) and returns the answer, whatever its status. */
    protected RestResponse requestBytes(String method, String path, byte[] body, String contentType) throws IOException {
        return send(method, path, body, Map.of("Content-Type", contentType), credentials());
    }

    private RestResponse send(String method, String path, byte[] body, Map<String, String> headers, String userPassword)
        throws IOException {
        List<URI> uris = hostUris();
        int first = Math.floorMod(nextHost.getAndIncrement(), uris.size());
        ConnectException refused = null;
        for (int attempt = 0; attempt < uris.size(); attempt++) {
            URI base = uris.get((first + attempt) % uris.size());
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path : "/" + path)).timeout(REQUEST_TIMEOUT);
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            boolean contentType = headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Content-Type"));
            if (body != null && contentType == false) {
                b.header("Content-Type", "application/json");
            }
            headers.forEach(b::header);
            if (userPassword != null) {
                b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8)));
            }
            try {
                HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                return new RestResponse(r.statusCode(), r.headers(), r.body());
            } catch (ConnectException e) {
                refused = e; // the node is down (e.g. stopped by the test): the request was not sent, try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + method + " " + path, e);
            }
        }
        throw refused;
    }

    /** Sends {@code body} (JSON) and returns the parsed response; throws {@link ResponseException} on a non-2xx status. */
    protected Map<String, Object> call(String method, String path, String body) throws IOException {
        RestResponse r = request(method, path, body);
        if (r.ok() == false) {
            throw new ResponseException(method, path, r);
        }
        return r.map();
    }

    /** Sends {@code body} and expects an error; returns the status and the parsed error body. */
    protected ErrorResponse callExpectingError(String method, String path, String body) throws IOException {
        ErrorResponse e = errorOf(method, path, body);
        if (e == null) {
            throw new AssertionError("expected an error, got a 2xx answer to " + method + " " + path);
        }
        return e;
    }

    /** Sends {@code body}; the error's status and parsed body, or null when it was answered with 2xx. */
    protected ErrorResponse errorOf(String method, String path, String body) throws IOException {
        return errorOf(request(method, path, body));
    }

    /** The error of an answer, or null when it is a 2xx. */
    protected static ErrorResponse errorOf(RestResponse r) throws IOException {
        if (r.ok()) {
            return null;
        }
        Map<String, Object> parsed;
        try {
            parsed = parse(r.body());
        } catch (IOException notAnObject) {
            parsed = new LinkedHashMap<>();
            parsed.put("body", r.body());
        }
        return new ErrorResponse(r.status(), parsed);
    }

    // ---------------------------------------------------------------- JSON

    /** A JSON object as an ordered map (numbers as Integer, Long, BigInteger or Double). */
    protected static Map<String, Object> parse(String json) throws IOException {
        Map<String, Object> map = JSON.readValue(json, MAP);
        if (map == null) {
            throw new IOException("not a JSON object: " + json);
        }
        return map;
    }

    /** Any JSON value. */
    protected static Object parseAny(String json) throws IOException {
        return JSON.readValue(json, Object.class);
    }

    /** {@code value} as JSON. */
    protected static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    protected static List<Map<String, Object>> hits(Map<String, Object> searchResponse) {
        return (List<Map<String, Object>>) ((Map<String, Object>) searchResponse.get("hits")).get("hits");
    }

    protected static List<String> ids(Map<String, Object> searchResponse) {
        return hits(searchResponse).stream().map(h -> (String) h.get("_id")).toList();
    }

    /** The one node's part of a nodes-level response ({@code _nodes/stats}, the plugin's stats, model operations). */
    @SuppressWarnings("unchecked")
    protected static Map<String, Object> onlyNode(Map<String, Object> nodesResponse) {
        Map<String, Object> nodes = (Map<String, Object>) nodesResponse.get("nodes");
        assertEquals(nodes.toString(), 1, nodes.size());
        return (Map<String, Object>) nodes.values().iterator().next();
    }

    // ---------------------------------------------------------------- indices and documents

    /** Creates {@code index} with {@code body} (settings and mappings as JSON, or null). */
    protected void createIndex(String index, String body) throws IOException {
        call("PUT", "/" + index, body);
    }

    /** Indexes {@code docs} (id to JSON source) with a refresh; fails if any item failed. */
    protected void bulk(String index, Map<String, String> docs) throws IOException {
        Map<String, Object> response = bulkRaw(index, docs);
        assertEquals("bulk had errors: " + response, Boolean.FALSE, response.get("errors"));
    }

    /** Indexes {@code docs} (id to JSON source) with a refresh and returns the bulk response, errors included. */
    protected Map<String, Object> bulkRaw(String index, Map<String, String> docs) throws IOException {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> d : docs.entrySet()) {
            body.append("{\"index\":{\"_index\":\"").append(index).append("\",\"_id\":\"").append(d.getKey()).append("\"}}\n");
            body.append(d.getValue()).append('\n');
        }
        return bulkLines(body.toString());
    }

    /** Sends newline-delimited bulk actions with a refresh; returns the response. */
    protected Map<String, Object> bulkLines(String ndjson) throws IOException {
        RestResponse r = request("POST", "/_bulk?refresh=true", ndjson, Map.of("Content-Type", "application/x-ndjson"));
        if (r.ok() == false) {
            throw new ResponseException("POST", "/_bulk", r);
        }
        return r.map();
    }

    /** Indexes {@code count} documents "{i} {text}" in field {@code text}, one shard. */
    protected void indexRepeated(String index, int count, String text) throws IOException {
        call("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
            + "\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"},\"text\":{\"type\":\"text\"}}}}");
        Map<String, String> docs = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            docs.put("d" + i, "{\"text\":\"" + i + " " + text + "\"}");
        }
        bulk(index, docs);
    }

    /** A match query for goldfish reranked by the overlap-logit fixture; {@code extra} adds cross_encoder options. */
    protected static String goldfishRerank(int window, String query, String extra) {
        return "{\"size\":10,\"query\":{\"match\":{\"text\":\"goldfish\"}},\"rescore\":{\"window_size\":" + window
            + ",\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"" + query + "\",\"fields\":[\"title\",\"text\"]"
            + extra + "}}}";
    }

    /** A number from this plugin's stats of the one node. */
    protected long pluginStat(String name) throws IOException {
        return ((Number) onlyNode(call("GET", ENGINE.restPrefix() + "/stats", null)).get(name)).longValue();
    }

    /** Documents whose ~900 tokens make, with max_length 16 and batch_size 1, 64 model runs each. */
    protected static final String LONG_TEXT = "goldfish swim ".repeat(300);
    protected static final String RUN_PER_CHUNK = ",\"max_length\":16,\"max_chunks\":64,\"batch_size\":1";

    /** Six short documents (title, text, year) whose rankings under the overlap fixture models are known by hand. */
    protected static Map<String, String> goldfishDocs() {
        Map<String, String> docs = new LinkedHashMap<>();
        docs.put("1", "{\"title\":\"Fish\",\"text\":\"goldfish goldfish goldfish in a bowl\",\"year\":2001}");
        docs.put("2", "{\"title\":\"Goldfish growth\",\"text\":\"do goldfish grow as large as their tank\",\"year\":2002}");
        docs.put("3", "{\"title\":\"Pond life\",\"text\":\"koi and goldfish live in ponds\",\"year\":2003}");
        docs.put("4", "{\"title\":\"Cats\",\"text\":\"cats chase goldfish\",\"year\":2004}");
        docs.put("5", "{\"title\":\"Dogs\",\"text\":\"dogs do not care about goldfish\",\"year\":2005}");
        docs.put("6", "{\"title\":\"Aquarium\",\"text\":\"a large aquarium helps goldfish grow\",\"year\":2006}");
        return docs;
    }

    /** An error answer: its HTTP status and body. */
    protected record ErrorResponse(int status, Map<String, Object> body) {
        public String text() {
            return body.toString();
        }
    }

    // ---------------------------------------------------------------- utilities

    /** Code that may throw; for {@link #assertBusy}. */
    @FunctionalInterface
    protected interface CheckedRunnable {
        void run() throws Exception;
    }

    /** Runs {@code check} until it passes, for up to 10 seconds; then throws its last failure. */
    protected static void assertBusy(CheckedRunnable check) throws Exception {
        assertBusy(check, 10, TimeUnit.SECONDS);
    }

    /** Runs {@code check} until it passes (no AssertionError), for up to {@code max}; then throws its last failure. */
    protected static void assertBusy(CheckedRunnable check, long max, TimeUnit unit) throws Exception {
        long deadline = System.nanoTime() + unit.toNanos(max);
        long sleepMillis = 1;
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
            Thread.sleep(sleepMillis);
            sleepMillis = Math.min(sleepMillis * 2, 500);
        }
    }

    /** {@code length} random lower-case letters. */
    protected static String randomAlphaOfLength(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return b.toString();
    }

    /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
    protected static void deleteRecursively(Path path) throws IOException {
        if (Files.exists(path) == false) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A query-string value, URL-encoded. */
    protected static String urlEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---------------------------------------------------------------- clean-up after each test

    /**
     * Removes what a test left: indices whose names do not start with a dot (system and hidden indices, such as
     * Elasticsearch's {@code .security*}, stay), ingest pipelines not marked managed, search pipelines (OpenSearch) and
     * persistent and transient cluster settings.
     */
    @After
    public final void wipeCluster() throws IOException {
        Object cat = parseAny(okBody(request("GET", "/_cat/indices?format=json&h=index&expand_wildcards=open,closed", null)));
        List<String> indices = new ArrayList<>();
        for (Object row : (List<?>) cat) {
            String name = (String) ((Map<?, ?>) row).get("index");
            if (name.startsWith(".") == false) {
                indices.add(name);
            }
        }
        for (int from = 0; from < indices.size(); from += 20) {
            List<String> some = indices.subList(from, Math.min(indices.size(), from + 20));
            okBody(request("DELETE", "/" + String.join(",", some.stream().map(RerankRestTestCase::urlEncode).toList()), null));
        }

        RestResponse ingest = request("GET", "/_ingest/pipeline", null); // OpenSearch: 404 when there is none
        for (Map.Entry<String, Object> p : ingest.status() == 404 ? Map.<String, Object>of().entrySet() : parse(okBody(ingest)).entrySet()) {
            Object meta = p.getValue() instanceof Map<?, ?> m ? m.get("_meta") : null;
            boolean managed = meta instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("managed"));
            if (p.getKey().startsWith(".") == false && managed == false) {
                okBody(request("DELETE", "/_ingest/pipeline/" + urlEncode(p.getKey()), null));
            }
        }

        if (ENGINE.hasSearchPipelines()) {
            RestResponse pipelines = request("GET", "/_search/pipeline", null);
            if (pipelines.status() != 404) {
                for (String id : parse(okBody(pipelines)).keySet()) {
                    okBody(request("DELETE", "/_search/pipeline/" + urlEncode(id), null));
                }
            }
        }

        Map<String, Object> settings = parse(okBody(request("GET", "/_cluster/settings?flat_settings=true", null)));
        StringBuilder reset = new StringBuilder();
        for (String scope : List.of("persistent", "transient")) {
            Object values = settings.get(scope);
            if (values instanceof Map<?, ?> m && m.isEmpty() == false) {
                reset.append(reset.isEmpty() ? "" : ",").append('"').append(scope).append("\":{");
                reset.append(String.join(",", m.keySet().stream().map(k -> "\"" + k + "\":null").toList())).append('}');
            }
        }
        if (reset.isEmpty() == false) {
            okBody(request("PUT", "/_cluster/settings", "{" + reset + "}"));
        }
    }

    private static String okBody(RestResponse r) throws IOException {
        if (r.ok() == false) {
            throw new IOException("clean-up request answered " + r.status() + ": " + r.body());
        }
        return r.body();
    }
}
