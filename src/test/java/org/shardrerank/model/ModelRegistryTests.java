package org.shardrerank.model;

import org.opensearch.OpenSearchStatusException;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.test.OpenSearchTestCase;
import org.shardrerank.TestModels;
import org.shardrerank.inference.InferenceEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

public class ModelRegistryTests extends OpenSearchTestCase {
    private final AtomicLong clock = new AtomicLong(1_000_000);

    private Path copyFixture(Path root, String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        for (String f : new String[] { "model.json", "model.onnx", "tokenizer.json" }) {
            Files.copy(TestModels.folder(name).resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    private ModelRegistry registry(Path root) {
        return new ModelRegistry(root, new InferenceEnvironment(false, 0, 1), clock::get);
    }

    public void testLoadsOnceAndShares() throws IOException {
        Path root = createTempDir();
        copyFixture(root, "overlap-logit");
        try (ModelRegistry r = registry(root)) {
            assertEquals(List.of("overlap-logit"), r.names());
            assertEquals("not_loaded", r.status().get(0).state());
            ModelRegistry.Model m = r.get("overlap-logit");
            assertSame(m, r.get("overlap-logit"));
            assertEquals(64, m.descriptor().maxLength());
            assertEquals("loaded", r.status().get(0).state());
            assertEquals("cpu", r.status().get(0).device());
        }
    }

    public void testUnknownAndInvalidNames() throws IOException {
        Path root = createTempDir();
        copyFixture(root, "overlap-logit");
        try (ModelRegistry r = registry(root)) {
            assertEquals("unknown model [nope]; models on this node: [overlap-logit]",
                expectThrows(IllegalArgumentException.class, () -> r.get("nope")).getMessage());
            for (String bad : new String[] { "../overlap-logit", "a/b", "", "UPPER", ".hidden" }) {
                assertTrue(bad, expectThrows(IllegalArgumentException.class, () -> r.get(bad)).getMessage().startsWith("invalid model name"));
            }
        }
    }

    public void testChecksumMismatchFailsOnlyThatModelAndIsRetried() throws IOException {
        Path root = createTempDir();
        copyFixture(root, "overlap-logit");
        Path broken = copyFixture(root, "overlap-2class");
        byte[] original = Files.readAllBytes(broken.resolve("model.onnx"));
        byte[] corrupt = original.clone();
        corrupt[corrupt.length - 1] ^= 1;
        Files.write(broken.resolve("model.onnx"), corrupt);
        try (ModelRegistry r = registry(root)) {
            OpenSearchStatusException e = expectThrows(OpenSearchStatusException.class, () -> r.get("overlap-2class"));
            assertEquals(RestStatus.SERVICE_UNAVAILABLE, e.status());
            assertTrue(e.getMessage(), e.getMessage().contains("sha256 of [model.onnx] is"));
            assertNotNull("the other model still works", r.get("overlap-logit"));
            assertEquals("failed", r.status().stream().filter(s -> s.name().equals("overlap-2class")).findFirst().get().state());

            Files.write(broken.resolve("model.onnx"), original);
            expectThrows(OpenSearchStatusException.class, () -> r.get("overlap-2class"));
            clock.addAndGet(ModelRegistry.RETRY_AFTER_MILLIS);
            assertNotNull("fixed file is picked up after the retry delay", r.get("overlap-2class"));
        }
    }

    public void testFilesMustStayInsideTheModelFolder() throws IOException {
        Path root = createTempDir();
        Path dir = copyFixture(root, "overlap-logit");
        String json = Files.readString(dir.resolve("model.json"));
        Files.writeString(dir.resolve("model.json"), json.replace("\"model_file\": \"model.onnx\"", "\"model_file\": \"../secret.onnx\"")
            .replace("\"model.onnx\":", "\"../secret.onnx\":"));
        Files.copy(dir.resolve("model.onnx"), root.resolve("secret.onnx"));
        try (ModelRegistry r = registry(root)) {
            OpenSearchStatusException e = expectThrows(OpenSearchStatusException.class, () -> r.get("overlap-logit"));
            assertTrue(e.getMessage(), e.getMessage().contains("file [../secret.onnx] is outside the model folder"));
        }
        Files.writeString(dir.resolve("model.json"), json);
        Files.delete(dir.resolve("model.onnx"));
        Files.createSymbolicLink(dir.resolve("model.onnx"), root.resolve("secret.onnx"));
        try (ModelRegistry r = registry(root)) {
            OpenSearchStatusException e = expectThrows(OpenSearchStatusException.class, () -> r.get("overlap-logit"));
            assertTrue(e.getMessage(), e.getMessage().contains("file [model.onnx] links outside the model folder"));
        }
    }

    public void testDescriptorValidation() throws IOException {
        Path root = createTempDir();
        Path dir = copyFixture(root, "overlap-logit");
        String json = Files.readString(dir.resolve("model.json"));
        String[][] cases = {
            { "\"max_length\": 64", "\"max_length\": 4", "[max_length] must be an integer in [8, 8192], got [4]" },
            { "\"output\": \"logit\"", "\"output\": \"regression\"", "[output] must be one of [logit, binary_softmax], got [regression]" },
            { "\"activation\": \"none\"", "\"activation\": \"tanh\"", "[activation] must be one of [none, sigmoid], got [tanh]" },
            { "\"license\"", "\"licence\"", "unknown key [licence] in model.json" },
            { "\"name\": \"overlap-logit\"", "\"name\": \"other\"", "descriptor names the model [other] but its folder is [overlap-logit]" },
            { "\"tokenizer.json\": \"d2", "\"tokenizer.jsn\": \"d2", "[sha256] has no checksum for [tokenizer.json]" } };
        for (String[] c : cases) {
            assertTrue(c[0], json.contains(c[0]));
            Files.writeString(dir.resolve("model.json"), json.replace(c[0], c[1]));
            try (ModelRegistry r = registry(root)) {
                OpenSearchStatusException e = expectThrows(OpenSearchStatusException.class, () -> r.get("overlap-logit"));
                assertTrue(e.getMessage() + " should contain " + c[2], e.getMessage().contains(c[2]));
            }
        }
    }
}
