package org.shardrerank.model;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.shardrerank.inference.CrossEncoder;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.inference.ModelRuntime;
import org.shardrerank.inference.TextEmbedder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/** Reads a model folder as it is now on disk (descriptor, path checks, sha256) and opens a new runtime for it. */
final class ModelLoader {
    private static final Logger logger = LogManager.getLogger(ModelLoader.class);

    private final Path root;
    private final InferenceEnvironment env;
    private final LongSupplier clock;

    ModelLoader(Path root, InferenceEnvironment env, LongSupplier clockMillis) {
        this.root = root;
        this.env = env;
        this.clock = clockMillis;
    }

    Path root() {
        return root;
    }

    ModelRegistry.Model load(String name, long generation) throws IOException {
        Path folder = ModelFiles.folderInside(root, name);
        ModelDescriptor d = ModelDescriptor.read(ModelFiles.resolveInside(folder, ModelDescriptor.FILE_NAME));
        if (d.name().equals(name) == false) {
            throw new IOException("descriptor names the model [" + d.name() + "] but its folder is [" + name + "]");
        }
        Path model = ModelFiles.resolveInside(folder, d.modelFile());
        Path tokenizer = ModelFiles.resolveInside(folder, d.tokenizerFile());
        ModelFiles.verify(model, d.sha256().get(d.modelFile()));
        ModelFiles.verify(tokenizer, d.sha256().get(d.tokenizerFile()));
        long started = clock.getAsLong();
        ModelRuntime runtime;
        if (d.type() == ModelDescriptor.Type.TEXT_EMBEDDING) {
            ModelDescriptor.Embedding e = d.embedding();
            runtime = TextEmbedder.load(env, model, tokenizer, e.pooling(), e.normalize(), e.dimension(), d.maxLength(), d.padTokenId());
        } else {
            runtime = CrossEncoder.load(env, model, tokenizer, d.output(), d.activation(), d.maxLength(), d.padTokenId());
        }
        logger.info("loaded model [{}] ({}) version {} on [{}] in {}ms", name, d.type(), generation, env.device(),
            clock.getAsLong() - started);
        return new ModelRegistry.Model(d, runtime, generation);
    }

    /** The descriptor on disk, for listings of models that are not loaded; null when it cannot be read. */
    ModelDescriptor descriptorOrNull(String name) {
        try {
            return ModelDescriptor.read(ModelFiles.resolveInside(ModelFiles.folderInside(root, name), ModelDescriptor.FILE_NAME));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
