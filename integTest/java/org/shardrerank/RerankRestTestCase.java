package org.shardrerank;

import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.test.rest.OpenSearchRestTestCase;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Base of the integration tests: they talk REST to the real node started by {@code scripts/node.sh}
 * (OpenSearch 3.6.0 from Maven, with the k-NN plugin and this plugin installed).
 */
public abstract class RerankRestTestCase extends OpenSearchRestTestCase {

    @Override
    protected boolean preserveIndicesUponCompletion() {
        return false;
    }

    /** Sends {@code body} (JSON) and returns the parsed response; fails on a non-2xx status. */
    protected Map<String, Object> call(String method, String path, String body) throws IOException {
        Request request = new Request(method, path);
        if (body != null) {
            request.setJsonEntity(body);
        }
        return parse(client().performRequest(request));
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
        Request request = new Request(method, path);
        if (body != null) {
            request.setJsonEntity(body);
        }
        try {
            client().performRequest(request);
            return null;
        } catch (ResponseException e) {
            Response r = e.getResponse();
            return new ErrorResponse(r.getStatusLine().getStatusCode(), parse(r));
        }
    }

    protected static Map<String, Object> parse(Response response) throws IOException {
        try (InputStream in = response.getEntity().getContent()) {
            return XContentHelper.convertToMap(JsonXContent.jsonXContent, in, true);
        }
    }

    @SuppressWarnings("unchecked")
    protected static List<Map<String, Object>> hits(Map<String, Object> searchResponse) {
        return (List<Map<String, Object>>) ((Map<String, Object>) searchResponse.get("hits")).get("hits");
    }

    protected static List<String> ids(Map<String, Object> searchResponse) {
        return hits(searchResponse).stream().map(h -> (String) h.get("_id")).toList();
    }

    /** The one node's part of a nodes-level response ({@code _nodes/stats}, {@code _plugins/rerank/stats}, model operations). */
    @SuppressWarnings("unchecked")
    protected static Map<String, Object> onlyNode(Map<String, Object> nodesResponse) {
        Map<String, Object> nodes = (Map<String, Object>) nodesResponse.get("nodes");
        assertEquals(nodes.toString(), 1, nodes.size());
        return (Map<String, Object>) nodes.values().iterator().next();
    }

    /** Indexes {@code docs} (id to JSON source) with a refresh. */
    protected void bulk(String index, Map<String, String> docs) throws IOException {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> d : docs.entrySet()) {
            body.append("{\"index\":{\"_index\":\"").append(index).append("\",\"_id\":\"").append(d.getKey()).append("\"}}\n");
            body.append(d.getValue()).append('\n');
        }
        Request request = new Request("POST", "/_bulk?refresh=true");
        request.setJsonEntity(body.toString());
        Map<String, Object> response = parse(client().performRequest(request));
        assertEquals("bulk had errors: " + response, Boolean.FALSE, response.get("errors"));
    }

    /** Indexes {@code count} documents "{i} {text}" in field {@code text}, one shard. */
    protected void indexRepeated(String index, int count, String text) throws IOException {
        call("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
            + "\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"},\"text\":{\"type\":\"text\"}}}}");
        Map<String, String> docs = new java.util.LinkedHashMap<>();
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
        return ((Number) onlyNode(call("GET", "/_plugins/rerank/stats", null)).get(name)).longValue();
    }

    /** Documents whose ~900 tokens make, with max_length 16 and batch_size 1, 64 model runs each. */
    protected static final String LONG_TEXT = "goldfish swim ".repeat(300);
    protected static final String RUN_PER_CHUNK = ",\"max_length\":16,\"max_chunks\":64,\"batch_size\":1";

    /** Six short documents (title, text, year) whose rankings under the overlap fixture models are known by hand. */
    protected static Map<String, String> goldfishDocs() {
        Map<String, String> docs = new java.util.LinkedHashMap<>();
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
}
