package org.shardrerank.model;

import org.shardrerank.util.StatusException;
import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.TestModels;
import org.shardrerank.inference.InferenceEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Loading, failures, path safety and descriptor checks; reload, unload and leases are in {@link ModelLifecycleTests}. */
public class ModelRegistryTests extends CoreTestCase {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<String> loadFailures = new CopyOnWriteArrayList<>();

    /** Copies a fixture model into {@code root} as model {@code name}. */
    static Path install(Path root, String fixture, String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        for (String f : new String[] { "model.onnx", "tokenizer.json" }) {
            Files.copy(TestModels.folder(fixture).resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        String json = Files.readString(TestModels.folder(fixture).resolve(ModelDescriptor.FILE_NAME));
        Files.writeString(dir.resolve(ModelDescriptor.FILE_NAME), json.replace("\"name\": \"" + fixture + "\"", "\"name\": \"" + name + "\""));
        return dir;
    }

    private ModelRegistry registry(Path root) {
        return new ModelRegistry(root, new InferenceEnvironment(false, 0, 1), clock::get, loadFailures::add);
    }

    private static ModelStatus status(ModelRegistry r, String name) {
        return r.status().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test

    public void testLoadsOnceAndShares() throws IOException {
        Path root = createTempDir();
        install(root, "overlap-logit", "overlap-logit");
        try (ModelRegistry r = registry(root)) {
            assertEquals(List.of("overlap-logit"), r.names());
            assertEquals(ModelState.NOT_LOADED, r.status().get(0).state());
            assertEquals(0, r.servingGeneration("overlap-logit"));
            try (ModelRegistry.Lease a = r.acquire("overlap-logit"); ModelRegistry.Lease b = r.acquire("overlap-logit")) {
                assertSame(a.model(), b.model());
                assertEquals(64, a.model().descriptor().maxLength());
                assertEquals(1, a.model().generation());
            }
            ModelStatus s = r.status().get(0);
            assertEquals(ModelState.LOADED, s.state());
            assertEquals("cpu", s.device());
            assertEquals(1, s.generation());
            assertEquals(1, r.servingGeneration("overlap-logit"));
            assertEquals(List.of(), loadFailures);
        }
    }

    @Test

    public void testUnknownAndInvalidNames() throws IOException {
        Path root = createTempDir();
        install(root, "overlap-logit", "overlap-logit");
        try (ModelRegistry r = registry(root)) {
            assertEquals("unknown model [nope]; models on this node: [overlap-logit]",
                expectThrows(IllegalArgumentException.class, () -> r.acquire("nope")).getMessage());
            for (ModelChange c : List.of(r.load("nope"), r.unload("nope"), r.reload("nope"))) {
                assertEquals(ModelState.MISSING, c.before());
                assertEquals(ModelState.MISSING, c.after());
                assertEquals("unknown model [nope]; models on this node: [overlap-logit]", c.error());
            }
            for (String bad : new String[] { "../overlap-logit", "a/b", "", "UPPER", ".hidden", null }) {
                assertTrue(bad, expectThrows(IllegalArgumentException.class, () -> r.acquire(bad)).getMessage().startsWith("invalid model name"));
                assertTrue(bad, expectThrows(IllegalArgumentException.class, () -> r.reload(bad)).getMessage().startsWith("invalid model name"));
            }
            assertEquals(List.of(), loadFailures);
        }
    }

    @Test

    public void testChecksumMismatchFailsOnlyThatModelIsCountedAndRetried() throws IOException {
        Path root = createTempDir();
        install(root, "overlap-logit", "overlap-logit");
        Path broken = install(root, "overlap-2class", "overlap-2class");
        byte[] original = Files.readAllBytes(broken.resolve("model.onnx"));
        byte[] corrupt = original.clone();
        corrupt[corrupt.length - 1] ^= 1;
        Files.write(broken.resolve("model.onnx"), corrupt);
        try (ModelRegistry r = registry(root)) {
            StatusException e = expectThrows(StatusException.class, () -> r.acquire("overlap-2class"));
            assertEquals(StatusException.Status.SERVICE_UNAVAILABLE, e.status());
            assertTrue(e.getMessage(), e.getMessage().contains("sha256 of [model.onnx] is"));
            r.acquire("overlap-logit").close();
            assertEquals(ModelState.FAILED, status(r, "overlap-2class").state());
            assertEquals(List.of("overlap-2class"), loadFailures);

            Files.write(broken.resolve("model.onnx"), original);
            expectThrows(StatusException.class, () -> r.acquire("overlap-2class"));
            assertEquals("a remembered failure is no new load failure", List.of("overlap-2class"), loadFailures);
            clock.addAndGet(ModelRegistry.RETRY_AFTER_MILLIS);
            r.acquire("overlap-2class").close();
            assertEquals("fixed file is picked up after the retry delay", ModelState.LOADED, status(r, "overlap-2class").state());
        }
    }

    @Test

    public void testFilesMustStayInsideTheModelFolder() throws IOException {
        Path root = createTempDir();
        Path dir = install(root, "overlap-logit", "overlap-logit");
        String json = Files.readString(dir.resolve("model.json"));
        Files.writeString(dir.resolve("model.json"), json.replace("\"model_file\": \"model.onnx\"", "\"model_file\": \"../secret.onnx\"")
            .replace("\"model.onnx\":", "\"../secret.onnx\":"));
        Files.copy(dir.resolve("model.onnx"), root.resolve("secret.onnx"));
        assertLoadFails(root, "overlap-logit", "file [../secret.onnx] is outside the model folder");

        Files.writeString(dir.resolve("model.json"), json);
        Files.delete(dir.resolve("model.onnx"));
        Files.createSymbolicLink(dir.resolve("model.onnx"), root.resolve("secret.onnx"));
        assertLoadFails(root, "overlap-logit", "file [model.onnx] links outside the model folder");

        Path outside = createTempDir();
        Path elsewhere = install(outside, "overlap-logit", "linked");
        Files.createSymbolicLink(root.resolve("linked"), elsewhere);
        assertLoadFails(root, "linked", "model folder [linked] links outside the models folder");

        Path own = install(root, "overlap-logit", "own-json");
        Files.move(own.resolve("model.json"), outside.resolve("own-json.json"));
        Files.createSymbolicLink(own.resolve("model.json"), outside.resolve("own-json.json"));
        assertLoadFails(root, "own-json", "file [model.json] links outside the model folder");
    }

    private void assertLoadFails(Path root, String model, String message) {
        try (ModelRegistry r = registry(root)) {
            StatusException e = expectThrows(StatusException.class, () -> r.acquire(model));
            assertTrue(e.getMessage(), e.getMessage().contains(message));
            ModelChange reload = r.reload(model);
            assertTrue(reload.error(), reload.error().contains(message));
        }
    }

    @Test

    public void testDescriptorValidation() throws IOException {
        Path root = createTempDir();
        Path dir = install(root, "overlap-logit", "overlap-logit");
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
                StatusException e = expectThrows(StatusException.class, () -> r.acquire("overlap-logit"));
                assertTrue(e.getMessage() + " should contain " + c[2], e.getMessage().contains(c[2]));
            }
        }
    }
}
