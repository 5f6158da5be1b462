package org.shardrerank;

import org.junit.After;
import org.junit.Assume;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kibana Dev Tools walk-through of docs/elasticsearch.md, run as written: every request of its first code block that
 * follows the "Kibana Dev Tools walk-through" heading, in order, against the Elasticsearch node, with the committed
 * cross-encoder installed on the node for it. Checks each answer is 2xx and what the text says the searches find.
 */
public class DocsWalkthroughIT extends RerankRestTestCase {
    private static final Path DOC = Path.of("docs", "elasticsearch.md");
    private static final String CROSS_ENCODER = "scifact-minilm-l6-ce";
    private static final Path MODELS = Path.of(System.getProperty("tests.node.dir", "target/integ"), "nodes", "node-1", "config",
        "shard-rerank", "models");
    private static final Pattern REQUEST = Pattern.compile("^(GET|PUT|POST|DELETE) (\\S+)$");

    /** One request of the walk-through: method, path and body (null, JSON, or NDJSON for _bulk). */
    record Step(String method, String path, String body) {}

    static List<Step> steps(String markdown) {
        int heading = markdown.indexOf("## Kibana Dev Tools walk-through");
        int start = markdown.indexOf("```\n", heading) + 4;
        String block = markdown.substring(start, markdown.indexOf("```", start));
        List<Step> steps = new ArrayList<>();
        String method = null, path = null;
        StringBuilder body = new StringBuilder();
        for (String line : (block + "\n# end").split("\n")) {
            Matcher m = REQUEST.matcher(line.trim());
            if (m.matches() || line.startsWith("#")) {
                if (method != null) {
                    String b = body.toString().trim();
                    steps.add(new Step(method, path, b.isEmpty() ? null : path.startsWith("_bulk") ? b + "\n" : b));
                    method = null;
                }
                if (m.matches()) {
                    method = m.group(1);
                    path = m.group(2);
                    body.setLength(0);
                }
            } else if (method != null) {
                body.append(line).append('\n');
            }
        }
        return steps;
    }

    @After
    public void removeModel() throws IOException {
        if (Files.exists(MODELS.resolve(CROSS_ENCODER))) {
            request("POST", ENGINE.restPrefix() + "/models/" + CROSS_ENCODER + "/_unload", null, Map.of());
            deleteRecursively(MODELS.resolve(CROSS_ENCODER));
        }
    }

    @Test
    public void testTheWalkthroughRunsAsWritten() throws IOException {
        Assume.assumeTrue("docs/elasticsearch.md is the Elasticsearch edition's walk-through", ENGINE == Engine.ELASTICSEARCH);
        installCommittedCrossEncoder();
        List<Step> steps = steps(Files.readString(DOC));
        assertTrue("the walk-through has its requests: " + steps, steps.size() >= 8);
        List<Map<String, Object>> searches = new ArrayList<>();
        for (Step s : steps) {
            RestResponse r = request(s.method(), "/" + s.path(), s.body(), s.body() == null ? Map.of()
                : Map.of("Content-Type", s.path().startsWith("_bulk") ? "application/x-ndjson" : "application/json"));
            assertTrue(s + " -> " + r.status() + " " + r.body(), r.status() / 100 == 2);
            if (s.path().endsWith("_search")) {
                searches.add(r.map());
            }
            if (s.path().startsWith("_bulk")) {
                assertEquals(r.body(), Boolean.FALSE, r.map().get("errors"));
            }
        }
        assertEquals("three searches", 3, searches.size());
        assertEquals("how big do goldfish get -> Goldfish growth", "1", ids(searches.get(0)).get(0));
        assertEquals("the filter keeps year >= 2005: Berlin only", List.of("2"), ids(searches.get(1)));
        assertTrue("hybrid + rerank puts a goldfish document first", List.of("1", "3").contains(ids(searches.get(2)).get(0)));
    }

    /** The README's cross-encoder, copied into the node's models folder and loaded, readable by the node's user. */
    private void installCommittedCrossEncoder() throws IOException {
        Path source = Path.of("models", CROSS_ENCODER);
        Path target = MODELS.resolve(CROSS_ENCODER);
        Files.createDirectories(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (var files = Files.list(source)) {
            for (Path f : files.toList()) {
                Path copy = target.resolve(f.getFileName());
                Files.copy(f, copy, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        Map<String, Object> loaded = onlyNode(call("POST", ENGINE.restPrefix() + "/models/" + CROSS_ENCODER + "/_load", null));
        assertEquals(loaded.toString(), "loaded", loaded.get("after"));
    }
}
