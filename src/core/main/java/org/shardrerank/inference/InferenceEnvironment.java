package org.shardrerank.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.nio.file.Path;

/**
 * The node's ONNX Runtime: one environment, the execution device, and session creation. When CUDA is asked
 * for but cannot be used (CPU build of ONNX Runtime, no driver, no device) sessions run on the CPU and the
 * reason is logged once and kept for the stats.
 */
public final class InferenceEnvironment {
    private static final Logger logger = LogManager.getLogger(InferenceEnvironment.class);
    private static final long ORT_INIT_STACK_BYTES = 16L << 20;

    private OrtEnvironment env;
    private final boolean cudaRequested;
    private final int cudaDeviceId;
    private final int intraOpThreads;
    private volatile String device;
    private volatile String fallbackReason;

    public InferenceEnvironment(boolean cudaRequested, int cudaDeviceId, int intraOpThreads) {
        this.cudaRequested = cudaRequested;
        this.cudaDeviceId = cudaDeviceId;
        this.intraOpThreads = intraOpThreads;
        this.device = cudaRequested ? "cuda" : "cpu";
    }

    /** The device sessions run on: "cpu" or "cuda". */
    public String device() {
        return device;
    }

    /** Why CUDA was not used although configured, or null. */
    public String fallbackReason() {
        return fallbackReason;
    }

    /**
     * ONNX Runtime, loaded on first use so that a native library problem fails model loads, not the node start.
     * Its native initialization needs more stack than a JVM thread's default 1 MB (measured: a segfault on a
     * 1 MB stack, fine on 8 MB), so it runs on a thread of its own with a large stack.
     */
    synchronized OrtEnvironment ort() throws OrtException {
        if (env == null) {
            Object[] result = new Object[1];
            Thread init = new Thread(null, () -> {
                try {
                    result[0] = OrtEnvironment.getEnvironment();
                } catch (Throwable t) {
                    result[0] = t;
                }
            }, "shard-rerank-onnxruntime-init", ORT_INIT_STACK_BYTES);
            init.start();
            try {
                init.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OrtException("interrupted while loading ONNX Runtime");
            }
            if (result[0] instanceof OrtEnvironment loaded) {
                env = loaded;
            } else {
                throw new OrtException("cannot load the ONNX Runtime native library: " + result[0]);
            }
        }
        return env;
    }

    OrtSession createSession(Path model) throws OrtException {
        if (cudaRequested && fallbackReason == null) {
            OrtSession.SessionOptions options = options();
            try {
                options.addCUDA(cudaDeviceId);
                return ort().createSession(model.toString(), options);
            } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
                options.close();
                fallBackToCpu(e);
            }
        }
        return ort().createSession(model.toString(), options());
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        return options;
    }

    private synchronized void fallBackToCpu(Throwable cause) {
        if (fallbackReason == null) {
            fallbackReason = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            device = "cpu";
            logger.warn("device [cuda] requested but CUDA cannot be used, running models on the CPU instead: {}", fallbackReason);
        }
    }
}
