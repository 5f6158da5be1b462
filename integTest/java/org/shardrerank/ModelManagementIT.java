package org.shardrerank;

import org.junit.After;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Load, unload and reload through REST on the real node. The models under test are copies of the fixtures, added to
 * the node's model folder here and removed afterwards; their names sort after the fixtures so listings keep their order.
 */
public class ModelManagementIT extends RerankRestTestCase {
    private static final Path MODELS = Path.of(System.getProperty("tests.node.dir", "target/integ"), "nodes", "node-1", "config",
        "shard-rerank", "models");
    private static final String RELOADED = "reload-it";
    private static final String UNLOADED = "unload-it";
    private static final String UNREADABLE = "unreadable-it";

    @After
    public void removeTestModels() throws IOException {
        for (String name : List.of(RELOADED, UNLOADED, UNREADABLE)) {
            if (Files.exists(MODELS.resolve(name))) {
                call("POST", ENGINE.restPrefix() + "/models/" + name + "/_unload", null);
                deleteRecursively(MODELS.resolve(name));
            }
        }
    }

    /** Puts a fixture's files into the node's model folder as model {@code name}, readable by the node's user. */
    private static void install(String fixture, String name) throws IOException {
        Path dir = MODELS.resolve(name);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String f : List.of("model.onnx", "tokenizer.json")) {
            Files.copy(MODELS.resolve(fixture).resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        String json = Files.readString(MODELS.resolve(fixture).resolve("model.json"));
        Files.writeString(dir.resolve("model.json"), json.replace("\"name\": \"" + fixture + "\"", "\"name\": \"" + name + "\""));
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
    }

    private void createDocs() throws IOException {
        call("PUT", "/docs", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
            + "\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        Map<String, String> docs = new LinkedHashMap<>();
        docs.put("1", "{\"text\":\"goldfish goldfish goldfish in a bowl\"}");
        docs.put("2", "{\"text\":\"do goldfish grow as large as their tank\"}");
        docs.put("3", "{\"text\":\"cats chase goldfish\"}");
        bulk("docs", docs);
    }

    private static String rerank(String model) {
        return "{\"query\":{\"match\":{\"text\":\"goldfish\"}},\"rescore\":{\"window_size\":10,\"cross_encoder\":{\"model\":\"" + model
            + "\",\"query_text\":\"do goldfish grow\",\"fields\":[\"text\"]}}}";
    }

    private double topScore(String model) throws IOException {
        Map<String, Object> r = call("POST", "/docs/_search", rerank(model));
        assertEquals(r.toString(), "2", ids(r).get(0));
        return ((Number) hits(r).get(0).get("_score")).doubleValue();
    }

    private Map<String, Object> operate(String model, String operation) throws IOException {
        return call("POST", ENGINE.restPrefix() + "/models/" + model + "/_" + operation, null);
    }

    /** The node's own entry for the model in the listing. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> listed(String model) throws IOException {
        List<Map<String, Object>> models = (List<Map<String, Object>>) onlyNode(call("GET", ENGINE.restPrefix() + "/models", null)).get("models");
        return models.stream().filter(m -> model.equals(m.get("name"))).findFirst().orElseThrow();
    }

    private String raw(String method, String path) throws IOException {
        return request(method, path, null).body();
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testTheListingIsPerNodeWithASummaryAndNoAbsolutePath() throws IOException {
        // a model file ONNX Runtime cannot parse (its sha256 matches): ONNX Runtime names the file by its absolute path
        install("overlap-logit", UNREADABLE);
        Path onnx = MODELS.resolve(UNREADABLE).resolve("model.onnx");
        Path descriptor = MODELS.resolve(UNREADABLE).resolve("model.json");
        String oldSha = sha256(onnx);
        Files.writeString(onnx, "not an onnx graph");
        Files.writeString(descriptor, Files.readString(descriptor).replace(oldSha, sha256(onnx)));
        String load = raw("POST", ENGINE.restPrefix() + "/models/" + UNREADABLE + "/_load");
        String listing = raw("GET", ENGINE.restPrefix() + "/models");
        createDocs();
        ErrorResponse refused = callExpectingError("POST", "/docs/_search", rerank(UNREADABLE));
        assertEquals(refused.text(), 503, refused.status());
        String absolute = MODELS.toAbsolutePath().normalize().getParent().getParent().toString(); // the node's config folder
        for (String answer : List.of(load, listing, refused.text())) {
            assertTrue(answer, answer.contains("cannot load ONNX model [model.onnx]"));
            assertFalse("no absolute path: " + answer, answer.contains(absolute) || answer.contains(MODELS.toRealPath().toString()));
        }

        Map<String, Object> all = call("GET", ENGINE.restPrefix() + "/models", null);
        Map<String, Object> node = onlyNode(all);
        assertEquals("shard-rerank/models", node.get("models_path"));
        assertEquals("cpu", node.get("device"));
        Map<String, Object> unreadable = listed(UNREADABLE);
        assertEquals("failed", unreadable.get("state"));
        assertTrue(unreadable.toString(), ((String) unreadable.get("error")).contains(UNREADABLE + "/model.onnx"));
        Map<String, Object> summary = ((List<Map<String, Object>>) all.get("models")).stream()
            .filter(m -> UNREADABLE.equals(m.get("name"))).findFirst().orElseThrow();
        assertEquals(Map.of("name", UNREADABLE, "type", "cross_encoder", "states", Map.of("failed", 1)), summary);

        // the nodes to ask: in the path, in ?nodes=, not both
        String id = ((Map<String, Object>) all.get("nodes")).keySet().iterator().next();
        assertEquals(all.get("models"), call("GET", ENGINE.restPrefix() + "/" + id + "/models", null).get("models"));
        assertEquals(all.get("models"), call("GET", ENGINE.restPrefix() + "/models?nodes=_local", null).get("models"));
        Map<String, Object> none = call("GET", ENGINE.restPrefix() + "/models?nodes=no-such-node", null);
        assertEquals(Map.of("total", 0, "successful", 0, "failed", 0), none.get("_nodes"));
        ErrorResponse both = callExpectingError("GET", ENGINE.restPrefix() + "/_local/models?nodes=_local", null);
        assertEquals(both.text(), 400, both.status());
        assertTrue(both.text(), both.text().contains("name the nodes in the path or in [nodes], not both"));
    }

    private static String sha256(Path file) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> nodeStats() throws IOException {
        Map<String, Object> nodes = (Map<String, Object>) call("GET", ENGINE.restPrefix() + "/stats", null).get("nodes");
        return (Map<String, Object>) nodes.values().iterator().next();
    }

    @SuppressWarnings("unchecked")
    @Test
    public void testReloadOfACorruptModelKeepsTheOldVersionServing() throws IOException {
        install("overlap-logit", RELOADED);
        createDocs();
        Map<String, Object> load = operate(RELOADED, "load");
        assertEquals(load.toString(), "load", load.get("operation"));
        assertEquals(load.toString(), false, load.get("errors"));
        Map<String, Object> loaded = onlyNode(load);
        assertEquals("not_loaded", loaded.get("before"));
        assertEquals("loaded", loaded.get("after"));
        assertEquals(1, loaded.get("generation"));
        double before = topScore(RELOADED);
        assertEquals("overlap count: do, gold, ##fish, grow", 4.0, before, 0.05);

        // the operator copies in a new model.onnx but not the descriptor that matches it
        Files.copy(MODELS.resolve("overlap-2class").resolve("model.onnx"), MODELS.resolve(RELOADED).resolve("model.onnx"),
            StandardCopyOption.REPLACE_EXISTING);
        Map<String, Object> reload = operate(RELOADED, "reload");
        assertEquals(reload.toString(), true, reload.get("errors"));
        Map<String, Object> failed = onlyNode(reload);
        assertEquals("loaded", failed.get("before"));
        assertEquals("loaded", failed.get("after"));
        assertEquals(1, failed.get("generation"));
        assertTrue(failed.toString(), ((String) failed.get("error")).startsWith("sha256 of [model.onnx] is "));
        assertEquals("the old version still serves", before, topScore(RELOADED), 0);
        Map<String, Object> listed = listed(RELOADED);
        assertEquals("loaded", listed.get("state"));
        assertEquals(failed.get("error"), listed.get("error"));

        Map<String, Object> stats = nodeStats();
        assertTrue(stats.toString(), ((Number) stats.get("model_load_failures")).longValue() >= 1);
        Map<String, Object> modelStats = (Map<String, Object>) ((Map<String, Object>) stats.get("models")).get(RELOADED);
        assertEquals(modelStats.toString(), 1, modelStats.get("model_load_failures"));

        // now the whole new version: files and descriptor
        install("overlap-2class", RELOADED);
        Map<String, Object> swapped = onlyNode(operate(RELOADED, "reload"));
        assertEquals(swapped.toString(), 2, swapped.get("generation"));
        assertNull(swapped.get("error"));
        assertEquals(listed(RELOADED).get("sha256"), swapped.get("sha256"));
        assertEquals("binary_softmax", listed(RELOADED).get("output"));
        double probability = topScore(RELOADED);
        assertTrue("softmax of the new head: " + probability, probability > 0.99 && probability < 1);
    }

    @Test
    public void testUnloadedModelFailsClearlyUntilLoadedAgain() throws IOException {
        install("overlap-logit", UNLOADED);
        createDocs();
        double before = topScore(UNLOADED);
        Map<String, Object> unload = onlyNode(operate(UNLOADED, "unload"));
        assertEquals("loaded", unload.get("before"));
        assertEquals("unloaded", unload.get("after"));
        assertEquals("unloaded", listed(UNLOADED).get("state"));

        ErrorResponse e = callExpectingError("POST", "/docs/_search", rerank(UNLOADED));
        assertEquals(e.text(), 409, e.status());
        assertTrue(e.text(), e.text().contains("model [unload-it] was unloaded on this node; load it again with the plugin's "
            + "models/unload-it/_load API"));
        assertEquals("other models still serve", "2", ids(call("POST", "/docs/_search", rerank("overlap-logit"))).get(0));

        Map<String, Object> load = onlyNode(operate(UNLOADED, "load"));
        assertEquals("unloaded", load.get("before"));
        assertEquals("loaded", load.get("after"));
        assertEquals(2, load.get("generation"));
        assertEquals(before, topScore(UNLOADED), 0);
    }

    @Test
    public void testOperationsOnSelectedNodes() throws IOException {
        Map<String, Object> local = call("POST", ENGINE.restPrefix() + "/models/overlap-logit/_load?nodes=_local", null);
        assertEquals("loaded", onlyNode(local).get("after"));
        @SuppressWarnings("unchecked")
        Map<String, Object> header = (Map<String, Object>) local.get("_nodes");
        assertEquals(header.toString(), 1, header.get("successful"));
    }

    @Test
    public void testBadAndUnknownNames() throws IOException {
        String[][] bad = { { "UPPER", "invalid model name [UPPER]" }, { "..%2Foverlap-logit", "invalid model name [../overlap-logit]" },
            { "a%2Fb", "invalid model name [a/b]" }, { ".hidden", "invalid model name [.hidden]" } };
        for (String[] c : bad) {
            for (String operation : List.of("load", "unload", "reload")) {
                ErrorResponse e = callExpectingError("POST", ENGINE.restPrefix() + "/models/" + c[0] + "/_" + operation, null);
                assertEquals(c[0] + " " + e.text(), 400, e.status());
                assertTrue(c[0] + " " + e.text(), e.text().contains(c[1]));
            }
        }
        for (String operation : List.of("load", "unload", "reload")) {
            ErrorResponse e = callExpectingError("POST", ENGINE.restPrefix() + "/models/nope/_" + operation, null);
            assertEquals(e.text(), 404, e.status());
            assertEquals(e.text(), true, e.body().get("errors"));
            Map<String, Object> node = onlyNode(e.body());
            assertEquals("missing", node.get("after"));
            assertTrue(node.toString(), ((String) node.get("error")).startsWith("unknown model [nope]; models on this node: ["));
        }
        assertFalse("nothing was created", Files.exists(MODELS.resolve("nope")));
    }
}
