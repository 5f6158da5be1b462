package org.shardrerank.model;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.shardrerank.util.StatusException;
import org.shardrerank.util.StatusException.Status;

import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One model name on this node: the version serving and the outcome of the last load. Loads run one at a time and
 * outside the state lock, so requests keep leasing the serving version while a new one loads; the swap is atomic,
 * and a replaced version is only retired: its native memory goes when its last lease (or batch) is released.
 */
final class ModelSlot {
    private static final Logger logger = LogManager.getLogger(ModelSlot.class);

    private final String name;
    private final ModelLoader loader;
    private final LongSupplier clock;
    private final Consumer<String> loadFailures;
    private final ReentrantLock loading = new ReentrantLock();

    // guarded by this
    private ModelRegistry.Model model;
    private long generation;
    private String failure;
    private long failedAt;
    private boolean unloaded;
    private boolean closed;

    ModelSlot(String name, ModelLoader loader, LongSupplier clockMillis, Consumer<String> loadFailures) {
        this.name = name;
        this.loader = loader;
        this.clock = clockMillis;
        this.loadFailures = loadFailures;
    }

    /** A lease on the serving version, loading it first if this is the first use (or a failure is old enough to retry). */
    ModelRegistry.Lease lease() {
        ModelRegistry.Lease lease = serving();
        if (lease != null) {
            return lease;
        }
        loading.lock();
        try {
            lease = serving();
            if (lease != null) {
                return lease;
            }
            ModelRegistry.Model next = tryLoad();
            if (next == null) {
                throw unavailable();
            }
            install(next);
            return serving();
        } finally {
            loading.unlock();
        }
    }

    /** Loads the model unless a version serves; an explicit load also ends an unload and skips the retry delay. */
    ModelChange load() {
        loading.lock();
        try {
            ModelState before = state();
            synchronized (this) {
                if (model != null) {
                    return change(before, null);
                }
                unloaded = false;
            }
            return loadAndSwap(before);
        } finally {
            loading.unlock();
        }
    }

    /** Drops the serving version and refuses requests until the next load or reload. */
    ModelChange unload() {
        loading.lock();
        try {
            ModelState before = state();
            ModelRegistry.Model previous;
            synchronized (this) {
                previous = model;
                model = null;
                failure = null;
                unloaded = true;
            }
            retire(previous);
            return change(before, null);
        } finally {
            loading.unlock();
        }
    }

    /** Loads the files as they are now and swaps them in; when that fails, whatever served before keeps serving. */
    ModelChange reload() {
        loading.lock();
        try {
            return loadAndSwap(state());
        } finally {
            loading.unlock();
        }
    }

    private ModelChange loadAndSwap(ModelState before) {
        ModelRegistry.Model next = tryLoad();
        if (next != null) {
            install(next);
        }
        return change(before, next == null ? failure() : null);
    }

    ModelStatus status(String device) {
        ModelRegistry.Model serving;
        ModelState state;
        long gen;
        String error;
        synchronized (this) {
            serving = model;
            state = state();
            gen = generation;
            error = failure;
        }
        if (serving != null) {
            return new ModelStatus(name, state, serving.descriptor(), device, gen, error);
        }
        ModelDescriptor onDisk = loader.descriptorOrNull(name);
        if (onDisk == null && state == ModelState.NOT_LOADED) {
            return ModelStatus.notLoaded(name, null);
        }
        return new ModelStatus(name, state, onDisk, null, gen, error);
    }

    void close() {
        ModelRegistry.Model previous;
        synchronized (this) {
            closed = true;
            previous = model;
            model = null;
        }
        retire(previous);
    }

    private synchronized ModelRegistry.Lease serving() {
        if (closed) {
            throw new StatusException("model registry is closed", Status.SERVICE_UNAVAILABLE);
        }
        if (unloaded) {
            throw new StatusException("model [" + name + "] was unloaded on this node; load it again with the plugin's models/" + name
                + "/_load API", Status.CONFLICT);
        }
        if (model != null) {
            return new ModelRegistry.Lease(model, model.runtime().acquire());
        }
        if (failure != null && clock.getAsLong() - failedAt < ModelRegistry.RETRY_AFTER_MILLIS) {
            throw unavailable();
        }
        return null;
    }

    private ModelRegistry.Model tryLoad() {
        try {
            return loader.load(name, nextGeneration());
        } catch (Exception | LinkageError | AssertionError e) {
            // an Error here would reach the node's uncaught-exception handler and stop the node
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            synchronized (this) {
                failure = PathRedaction.redact(message, loader.root()); // it reaches responses: 503s, listings, reloads
                failedAt = clock.getAsLong();
            }
            loadFailures.accept(name);
            logger.warn("model [{}] failed to load: {}", name, message);
            logger.debug("model load failure", e);
            return null;
        }
    }

    private void install(ModelRegistry.Model next) {
        ModelRegistry.Model previous;
        synchronized (this) {
            if (closed) {
                previous = next;
            } else {
                previous = model;
                model = next;
                generation = next.generation();
                failure = null;
                unloaded = false;
            }
        }
        retire(previous);
    }

    private static void retire(ModelRegistry.Model m) {
        if (m != null) {
            m.runtime().close();
        }
    }

    synchronized long servingGeneration() {
        return model == null ? 0 : model.generation();
    }

    private synchronized long nextGeneration() {
        return generation + 1;
    }

    private synchronized ModelState state() {
        if (model != null) {
            return ModelState.LOADED;
        }
        if (unloaded) {
            return ModelState.UNLOADED;
        }
        return failure != null ? ModelState.FAILED : ModelState.NOT_LOADED;
    }

    private synchronized String failure() {
        return failure;
    }

    private synchronized ModelChange change(ModelState before, String error) {
        Map<String, String> sha256 = model == null ? Map.of() : model.descriptor().sha256();
        return new ModelChange(name, before, state(), generation, sha256, error);
    }

    private synchronized StatusException unavailable() {
        return new StatusException("model [" + name + "] is not available on this node: " + failure, Status.SERVICE_UNAVAILABLE);
    }
}
