package org.shardrerank.model;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.core.rest.RestStatus;
import org.shardrerank.inference.CrossEncoder;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.inference.TextEmbedder;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The models of this node: one folder per model under the models path, each with a {@code model.json}.
 * A model is loaded once (sha256 checked) and shared by every shard and thread. A model that fails to load
 * fails only the requests that use it; the failure is kept, and retried after {@link #RETRY_AFTER_MILLIS}.
 */
public final class ModelRegistry implements Closeable {
    static final long RETRY_AFTER_MILLIS = 10_000;
    private static final Logger logger = LogManager.getLogger(ModelRegistry.class);

    private final Path root;
    private final InferenceEnvironment env;
    private final LongSupplier clock;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public ModelRegistry(Path root, InferenceEnvironment env, LongSupplier clockMillis) {
        this.root = root;
        this.env = env;
        this.clock = clockMillis;
    }

    public Path root() {
        return root;
    }

    public InferenceEnvironment environment() {
        return env;
    }

    /** The loaded model, loading it on first use. */
    public Model get(String name) {
        if (ModelDescriptor.validName(name) == false) {
            throw new IllegalArgumentException("invalid model name [" + name + "]: use lowercase letters, digits, '.', '_' and '-'");
        }
        if (Files.isRegularFile(root.resolve(name).resolve(ModelDescriptor.FILE_NAME)) == false) {
            throw new IllegalArgumentException("unknown model [" + name + "]; models on this node: " + names());
        }
        return slots.computeIfAbsent(name, Slot::new).get();
    }

    /** Starts loading every model in the background, so the first request does not pay for it. */
    public void warmUp(Executor executor) {
        for (String name : names()) {
            executor.execute(() -> {
                try {
                    get(name);
                } catch (RuntimeException e) {
                    logger.warn("model [{}] failed to load: {}", name, e.getMessage());
                }
            });
        }
    }

    /** Names of the model folders present, sorted. */
    public List<String> names() {
        TreeSet<String> names = new TreeSet<>();
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
                for (Path dir : dirs) {
                    String n = dir.getFileName().toString();
                    if (ModelDescriptor.validName(n) && Files.isRegularFile(dir.resolve(ModelDescriptor.FILE_NAME))) {
                        names.add(n);
                    }
                }
            } catch (IOException e) {
                logger.warn("cannot list models in [{}]: {}", root, e.getMessage());
            }
        }
        return new ArrayList<>(names);
    }

    /** One line of state per model folder, for the REST listing. */
    public List<ModelStatus> status() {
        List<ModelStatus> out = new ArrayList<>();
        for (String name : names()) {
            Slot slot = slots.get(name);
            out.add(slot == null ? ModelStatus.notLoaded(name, descriptorOrNull(name)) : slot.status());
        }
        return out;
    }

    private ModelDescriptor descriptorOrNull(String name) {
        try {
            return ModelDescriptor.read(root.resolve(name).resolve(ModelDescriptor.FILE_NAME));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Model load(String name) throws IOException {
        Path folder = root.resolve(name);
        ModelDescriptor d = ModelDescriptor.read(folder.resolve(ModelDescriptor.FILE_NAME));
        if (d.name().equals(name) == false) {
            throw new IOException("descriptor names the model [" + d.name() + "] but its folder is [" + name + "]");
        }
        Path model = ModelFiles.resolveInside(folder, d.modelFile());
        Path tokenizer = ModelFiles.resolveInside(folder, d.tokenizerFile());
        ModelFiles.verify(model, d.sha256().get(d.modelFile()));
        ModelFiles.verify(tokenizer, d.sha256().get(d.tokenizerFile()));
        long started = clock.getAsLong();
        Closeable runtime;
        if (d.type() == ModelDescriptor.Type.TEXT_EMBEDDING) {
            ModelDescriptor.Embedding e = d.embedding();
            runtime = TextEmbedder.load(env, model, tokenizer, e.pooling(), e.normalize(), e.dimension(), d.maxLength(), d.padTokenId());
        } else {
            runtime = CrossEncoder.load(env, model, tokenizer, d.output(), d.activation(), d.maxLength(), d.padTokenId());
        }
        logger.info("loaded model [{}] ({}) on [{}] in {}ms", name, d.type(), env.device(), clock.getAsLong() - started);
        return new Model(d, runtime);
    }

    @Override
    public void close() {
        closed = true;
        for (Slot slot : slots.values()) {
            slot.close();
        }
        slots.clear();
    }

    /** A loaded model: its descriptor and its runtime, a {@link CrossEncoder} or a {@link TextEmbedder} by type. */
    public record Model(ModelDescriptor descriptor, Closeable runtime) {

        /** The cross-encoder; a clear 400 when the model is of another type. */
        public CrossEncoder encoder() {
            if (runtime instanceof CrossEncoder encoder) {
                return encoder;
            }
            throw wrongType(ModelDescriptor.Type.CROSS_ENCODER);
        }

        /** The text embedder; a clear 400 when the model is of another type. */
        public TextEmbedder embedder() {
            if (runtime instanceof TextEmbedder embedder) {
                return embedder;
            }
            throw wrongType(ModelDescriptor.Type.TEXT_EMBEDDING);
        }

        private IllegalArgumentException wrongType(ModelDescriptor.Type wanted) {
            return new IllegalArgumentException("model [" + descriptor.name() + "] is a [" + descriptor.type() + "] model; this needs a ["
                + wanted + "] model");
        }
    }

    private final class Slot {
        private final String name;
        private Model model;
        private String failure;
        private long failedAt;

        Slot(String name) {
            this.name = name;
        }

        synchronized Model get() {
            if (closed) {
                throw new OpenSearchStatusException("model registry is closed", RestStatus.SERVICE_UNAVAILABLE);
            }
            if (model != null) {
                return model;
            }
            if (failure != null && clock.getAsLong() - failedAt < RETRY_AFTER_MILLIS) {
                throw unavailable();
            }
            try {
                model = load(name);
                failure = null;
                return model;
            } catch (Exception | LinkageError | AssertionError e) {
                // an Error here would reach the node's uncaught-exception handler and stop the node
                failure = e.getMessage();
                failedAt = clock.getAsLong();
                logger.warn("model [{}] failed to load: {}", name, e.getMessage());
                logger.debug("model load failure", e);
                throw unavailable();
            }
        }

        private OpenSearchStatusException unavailable() {
            return new OpenSearchStatusException("model [" + name + "] is not available on this node: " + failure, RestStatus.SERVICE_UNAVAILABLE);
        }

        synchronized ModelStatus status() {
            if (model != null) {
                return ModelStatus.loaded(name, model.descriptor(), env.device());
            }
            return failure != null ? ModelStatus.failed(name, descriptorOrNull(name), failure) : ModelStatus.notLoaded(name, descriptorOrNull(name));
        }

        synchronized void close() {
            if (model != null) {
                try {
                    model.runtime().close();
                } catch (IOException | RuntimeException e) {
                    logger.warn("closing model [{}] failed: {}", name, e.getMessage());
                }
                model = null;
            }
        }
    }
}
