package org.shardrerank.model;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.shardrerank.util.Releasable;
import org.shardrerank.inference.CrossEncoder;
import org.shardrerank.inference.InferenceEnvironment;
import org.shardrerank.inference.ModelRuntime;
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
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The models of this node: one folder per model under the models path, each with a {@code model.json}.
 * A model is loaded once (sha256 checked) and shared by every shard and thread; users hold a {@link Lease} while
 * they use it, so an operator's reload or unload never frees a model under a running request. A model that fails
 * to load fails only the requests that use it; the failure is kept, and retried after {@link #RETRY_AFTER_MILLIS}.
 */
public final class ModelRegistry implements Closeable {
    static final long RETRY_AFTER_MILLIS = 10_000;
    static final String FOLDER_REMOVED = "the model folder was removed: requests no longer find the model; unload it to free its memory";
    private static final Logger logger = LogManager.getLogger(ModelRegistry.class);

    private final Path root;
    private final InferenceEnvironment env;
    private final ModelLoader loader;
    private final LongSupplier clock;
    private final Consumer<String> loadFailures;
    private final Map<String, ModelSlot> slots = new ConcurrentHashMap<>();

    /**
     * @param loadFailures told the model's name each time a load fails (lazy, explicit or reload), for the stats
     */
    public ModelRegistry(Path root, InferenceEnvironment env, LongSupplier clockMillis, Consumer<String> loadFailures) {
        this.root = root;
        this.env = env;
        this.loader = new ModelLoader(root, env, clockMillis);
        this.clock = clockMillis;
        this.loadFailures = loadFailures;
    }

    public Path root() {
        return root;
    }

    public InferenceEnvironment environment() {
        return env;
    }

    /**
     * The serving version of a model, loading it on first use; release the lease when done with the model. A model
     * whose folder was removed is unknown to requests at once, loaded or not.
     */
    public Lease acquire(String name) {
        ModelDescriptor.requireValidName(name);
        if (exists(name) == false) {
            throw new IllegalArgumentException("unknown model [" + name + "]; models on this node: " + names());
        }
        return slot(name).lease();
    }

    /** Loads the model now, unless a version already serves. */
    public ModelChange load(String name) {
        ModelSlot slot = known(name);
        return slot == null ? missing(name) : slot.load();
    }

    /** Frees the model once its requests in flight are done; later requests fail until it is loaded again. */
    public ModelChange unload(String name) {
        ModelSlot slot = known(name);
        return slot == null ? missing(name) : slot.unload();
    }

    /** Loads the model's files again and swaps the new version in; on failure the serving version stays. */
    public ModelChange reload(String name) {
        ModelSlot slot = known(name);
        return slot == null ? missing(name) : slot.reload();
    }

    /** Whether this node has used or listed a model of that name: a cheap test on a bounded set, for the stats. */
    public boolean isKnown(String name) {
        return slots.containsKey(name);
    }

    /** The generation of the version serving now, 0 when none does; never loads. */
    public long servingGeneration(String name) {
        ModelSlot slot = slots.get(name);
        return slot == null ? 0 : slot.servingGeneration();
    }

    /** Starts loading every model in the background, so the first request does not pay for it. */
    public void warmUp(Executor executor) {
        for (String name : names()) {
            executor.execute(() -> {
                try (Lease ignored = acquire(name)) {
                    logger.debug("warmed up model [{}]", name);
                } catch (RuntimeException e) {
                    logger.debug("warm-up of model [{}] failed (a load failure is logged where it happens): {}", name, e.getMessage());
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

    /**
     * One line of state per model folder, for the listings; also one per model still in memory although its folder
     * was removed, so the operator sees what to unload.
     */
    public List<ModelStatus> status() {
        List<String> present = names();
        TreeSet<String> listed = new TreeSet<>(present);
        slots.forEach((name, slot) -> {
            if (slot.servingGeneration() > 0) {
                listed.add(name);
            }
        });
        List<ModelStatus> out = new ArrayList<>();
        for (String name : listed) {
            ModelSlot slot = slots.get(name);
            if (slot == null) {
                out.add(ModelStatus.notLoaded(name, loader.descriptorOrNull(name)));
            } else if (present.contains(name)) {
                out.add(slot.status(env.device()));
            } else {
                ModelStatus s = slot.status(env.device());
                out.add(new ModelStatus(name, s.state(), s.descriptor(), s.device(), s.generation(), FOLDER_REMOVED));
            }
        }
        return out;
    }

    private boolean exists(String name) {
        return Files.isRegularFile(root.resolve(name).resolve(ModelDescriptor.FILE_NAME));
    }

    /** The slot of a model with a folder, or one this node has used even if its folder is gone now (so it can be unloaded). */
    private ModelSlot known(String name) {
        ModelDescriptor.requireValidName(name);
        ModelSlot slot = slots.get(name);
        return slot != null || exists(name) == false ? slot : slot(name);
    }

    private ModelSlot slot(String name) {
        return slots.computeIfAbsent(name, n -> new ModelSlot(n, loader, clock, loadFailures));
    }

    private ModelChange missing(String name) {
        return ModelChange.missing(name, "unknown model [" + name + "]; models on this node: " + names());
    }

    @Override
    public void close() {
        slots.values().forEach(ModelSlot::close);
    }

    /**
     * A loaded model version: its descriptor and its runtime, a {@link CrossEncoder} or a {@link TextEmbedder} by type.
     * {@code generation} numbers the versions of one model on this node, from 1.
     */
    public record Model(ModelDescriptor descriptor, ModelRuntime runtime, long generation) {

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

    /** A model version kept usable, even if reloaded or unloaded meanwhile, until {@link #close()}. */
    public record Lease(Model model, Releasable reference) implements Releasable {
        @Override
        public void close() {
            reference.close();
        }
    }
}
