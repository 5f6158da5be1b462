package org.shardrerank.model;

import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.inference.InferenceEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

public class PathRedactionTests extends CoreTestCase {

    @Test

    public void testPathsInsideTheModelsFolderBecomeRelativeAndOthersKeepTheirFileName() throws IOException {
        Path root = Files.createDirectories(createTempDir().resolve("config").resolve("shard-rerank").resolve("models"));
        String onnx = "cannot load ONNX model [model.onnx]: Error code - ORT_INVALID_PROTOBUF - message: Load model from "
            + root.resolve("ce").resolve("model.onnx") + " failed:Protobuf parsing failed.";
        assertEquals("cannot load ONNX model [model.onnx]: Error code - ORT_INVALID_PROTOBUF - message: Load model from ce/model.onnx "
            + "failed:Protobuf parsing failed.", PathRedaction.redact(onnx, root));
        assertEquals("ce/model.json", PathRedaction.redact(root.toRealPath().resolve("ce").resolve("model.json").toString(), root));
        assertEquals("UnsatisfiedLinkError: libonnxruntime_providers_cuda.so: libcudart.so.12: cannot open shared object file",
            PathRedaction.redact("UnsatisfiedLinkError: /tmp/onnxruntime-java123/libonnxruntime_providers_cuda.so: libcudart.so.12: "
                + "cannot open shared object file", root));
        assertEquals("cannot read [tokenizer.json]", PathRedaction.redact("cannot read [/opt/x/tokenizer.json]", root));
        assertEquals("windows: model.onnx", PathRedaction.redact("windows: C:\\opensearch\\config\\model.onnx", root));
        assertEquals("unchanged: a/b, ERROR/WARN, https://example.org/x and 1/2", PathRedaction.redact(
            "unchanged: a/b, ERROR/WARN, https://example.org/x and 1/2", root));
        assertNull(PathRedaction.redact(null, root));
    }

    /** ONNX Runtime names the file it failed to load by its absolute path; the failure that responses carry does not. */
    @Test
    public void testALoadFailureKeepsNoAbsolutePath() throws IOException {
        Path root = createTempDir();
        Path dir = ModelRegistryTests.install(root, "overlap-logit", "garbled");
        Path onnx = dir.resolve("model.onnx");
        String before = ModelFiles.sha256(onnx);
        Files.write(onnx, "not an onnx graph".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path descriptor = dir.resolve(ModelDescriptor.FILE_NAME);
        Files.writeString(descriptor, Files.readString(descriptor).replace(before, ModelFiles.sha256(onnx)));
        try (ModelRegistry r = new ModelRegistry(root, new InferenceEnvironment(false, 0, 1), System::currentTimeMillis, name -> {})) {
            String error = r.load("garbled").error();
            assertNotNull(error);
            assertTrue(error, error.startsWith("cannot load ONNX model [model.onnx]: "));
            assertTrue("ONNX Runtime's path, made relative: " + error, error.contains("garbled/model.onnx"));
            assertFalse(error, error.contains(root.toString()));
            assertFalse(error, error.contains(root.toRealPath().toString()));
            assertEquals(error, r.status().stream().filter(s -> s.name().equals("garbled")).findFirst().orElseThrow().error());
        }
    }
}
