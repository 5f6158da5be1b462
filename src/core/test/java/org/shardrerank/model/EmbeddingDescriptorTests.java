package org.shardrerank.model;

import org.shardrerank.util.Json;
import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.TestModels;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.inference.VectorPooling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code text_embedding} descriptors: the committed ones, strict validation, and loading through the registry. */
public class EmbeddingDescriptorTests extends CoreTestCase {

    private static String committed(String name) throws IOException {
        return Files.readString(TestModels.folder(name).resolve(ModelDescriptor.FILE_NAME));
    }

    private static ModelDescriptor parse(String json) {
        try {
            return ModelDescriptor.parse(Json.parseObject(json));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test

    public void testCommittedDescriptors() throws IOException {
        ModelDescriptor minilm = parse(committed("all-minilm-l6-v2"));
        assertEquals(ModelDescriptor.Type.TEXT_EMBEDDING, minilm.type());
        assertEquals(new ModelDescriptor.Embedding(VectorPooling.MEAN, true, 384, "", ""), minilm.embedding());
        assertNull(minilm.output());
        ModelDescriptor bge = parse(committed("bge-small-en-v1.5"));
        assertEquals(VectorPooling.CLS, bge.embedding().pooling());
        assertEquals("Represent this sentence for searching relevant passages: ", bge.embedding().queryPrefix());
        assertEquals(512, bge.maxLength());
        assertNull("cross-encoders have no embedding part", parse(committed("overlap-logit")).embedding());
    }

    @Test

    public void testValidationMessages() throws IOException {
        String json = committed("all-minilm-l6-v2");
        String[][] cases = {
            { "\"pooling\": \"mean\"", "\"pooling\": \"max\"", "[pooling] must be one of [mean, cls], got [max]" },
            { "\"pooling\": \"mean\",", "", "[pooling] is required in model.json" },
            { "\"dimension\": 384", "\"dimension\": 0", "[dimension] must be an integer in [1, 16000], got [0]" },
            { "\"dimension\": 384,", "", "[dimension] must be an integer in [1, 16000], got [null]" },
            { "\"normalize\": true", "\"normalize\": \"yes\"", "[normalize] must be true or false, got [yes]" },
            { "\"normalize\": true", "\"normalize\": true, \"output\": \"logit\"",
                "key [output] does not apply to models of type [text_embedding] in model.json" },
            { "\"normalize\": true", "\"normalize\": true, \"query_prefx\": \"q: \"", "unknown key [query_prefx] in model.json" },
            { "\"type\": \"text_embedding\"", "\"type\": \"embedding\"",
                "[type] must be one of [cross_encoder, text_embedding], got [embedding]" } };
        for (String[] c : cases) {
            assertTrue(c[0], json.contains(c[0]));
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> parse(json.replace(c[0], c[1])));
            assertEquals(c[2], e.getMessage());
        }
        String cross = committed("overlap-logit");
        assertEquals("key [pooling] does not apply to models of type [cross_encoder] in model.json",
            expectThrows(IllegalArgumentException.class, () -> parse(cross.replace("\"output\"", "\"pooling\": \"cls\", \"output\""))).getMessage());
    }

    @Test

    public void testRegistryLoadsEmbeddingModelsAndChecksTheType() throws IOException {
        Path root = createTempDir();
        for (String name : new String[] { "all-minilm-l6-v2", "overlap-logit" }) {
            Path dir = Files.createDirectories(root.resolve(name));
            try (var files = Files.list(TestModels.folder(name))) {
                for (Path f : files.toList()) {
                    Files.copy(f, dir.resolve(f.getFileName().toString()));
                }
            }
        }
        try (ModelRegistry r = new ModelRegistry(root, new InferenceEnvironment(false, 0, 1), System::currentTimeMillis, name -> {});
             ModelRegistry.Lease embedding = r.acquire("all-minilm-l6-v2");
             ModelRegistry.Lease crossEncoder = r.acquire("overlap-logit")) {
            ModelRegistry.Model m = embedding.model();
            assertEquals(384, m.embedder().dimension());
            assertEquals("model [all-minilm-l6-v2] is a [text_embedding] model; this needs a [cross_encoder] model",
                expectThrows(IllegalArgumentException.class, m::encoder).getMessage());
            assertEquals("model [overlap-logit] is a [cross_encoder] model; this needs a [text_embedding] model",
                expectThrows(IllegalArgumentException.class, () -> crossEncoder.model().embedder()).getMessage());
            assertEquals(ModelState.LOADED, r.status().get(0).state());
        }
    }
}
