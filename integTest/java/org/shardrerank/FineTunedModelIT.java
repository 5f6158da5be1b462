package org.shardrerank;

import org.junit.After;
import org.junit.Assume;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * The folder the fine-tuning command wrote (training/finetune.sh; CI runs training/finetune-smoke.sh first and passes the
 * folder, target/finetune-smoke/scifact-smoke-ce, property {@code tests.finetuned.model}) is a model the node loads and
 * reranks with: installed in the node's models
 * folder, loaded through the models API (sha256 checked), then a rescore on two shards changes the order. Without the
 * folder (no PyTorch on the machine, smoke run not made) the test is skipped, saying so.
 */
public class FineTunedModelIT extends RerankRestTestCase {
    private static final String FOLDER = System.getProperty("tests.finetuned.model", "");
    private static final Path MODELS = Path.of(System.getProperty("tests.node.dir", "target/integ"), "nodes", "node-1", "config",
        "shard-rerank", "models");

    private String name;

    @After
    public void removeModel() throws IOException {
        if (name != null && Files.exists(MODELS.resolve(name))) {
            request("POST", ENGINE.restPrefix() + "/models/" + name + "/_unload", null);
            deleteRecursively(MODELS.resolve(name));
        }
    }

    @Test
    public void testTheFineTunedFolderLoadsAndReranks() throws IOException {
        Path source = Path.of(FOLDER);
        Assume.assumeTrue("no fine-tuned folder at " + source + ": run training/finetune-smoke.sh first, as .ci/run does",
            FOLDER.isBlank() == false && Files.isRegularFile(source.resolve("model.json")));
        name = source.getFileName().toString();
        Path target = MODELS.resolve(name);
        Files.createDirectories(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String file : List.of("model.json", "model.onnx", "tokenizer.json")) {
            Files.copy(source.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
        }
        Map<String, Object> loaded = onlyNode(call("POST", ENGINE.restPrefix() + "/models/" + name + "/_load", null));
        assertEquals(loaded.toString(), "loaded", loaded.get("after"));

        call("PUT", "/claims", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0},"
            + "\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"},\"text\":{\"type\":\"text\"}}}}");
        bulk("claims", Map.of(
            "on", "{\"title\":\"Vitamin D and bone density\",\"text\":\"Vitamin D supplementation increased bone mineral density in older adults.\"}",
            "off", "{\"title\":\"Vitamin C and colds\",\"text\":\"Vitamin C did not shorten the common cold; bone was not measured.\"}",
            "far", "{\"title\":\"Solar panels\",\"text\":\"Vitamin labels on solar panel boxes are a marketing trick, not bone science.\"}"));
        String rescore = "{\"size\":3,\"query\":{\"match\":{\"text\":\"vitamin bone\"}},\"explain\":true,\"rescore\":{\"window_size\":3,"
            + "\"cross_encoder\":{\"model\":\"" + name + "\",\"query_text\":\"vitamin D improves bone density\",\"fields\":[\"title\",\"text\"]}}}";
        Map<String, Object> r = call("POST", "/claims/_search", rescore);
        List<Map<String, Object>> hits = hits(r);
        assertEquals(3, hits.size());
        for (Map<String, Object> h : hits) {
            Map<String, Object> explanation = (Map<String, Object>) h.get("_explanation");
            assertTrue("reranked by " + name + ": " + explanation, explanation.get("description").toString().contains(name));
            assertEquals(h.get("_score"), explanation.get("value"));
        }
        assertEquals("the claim's own evidence first", "on", ids(r).get(0));
    }
}
