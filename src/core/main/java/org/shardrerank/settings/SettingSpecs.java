package org.shardrerank.settings;

import java.util.Locale;

/**
 * Every node setting of the plugin, declared once for both engines: key, default, bounds and whether it may change at
 * run time. Each adapter turns these into its engine's settings and reads them there; nothing here reads a value.
 */
public final class SettingSpecs {
    public static final String PREFIX = "plugins.shard_rerank.";

    /** A whole number in [min, max]. */
    public record IntSpec(String key, int defaultValue, int min, int max, boolean dynamic) {}

    /** A duration of at least {@code minMillis}. */
    public record TimeSpec(String key, long defaultMillis, long minMillis, boolean dynamic) {}

    /** A memory size: bytes or a percentage of the heap. */
    public record MemorySpec(String key, String defaultValue, boolean dynamic) {}

    /** Free text, empty by default. */
    public record TextSpec(String key, boolean dynamic) {}

    /** Folder of model folders; empty means {@code <config>/shard-rerank/models}. */
    public static final TextSpec MODELS_PATH = new TextSpec(PREFIX + "models.path", false);

    /** Largest rescore window a request may ask for, per shard; explain carries up to 4000 windows' numbers to the fetch phase. */
    public static final IntSpec MAX_WINDOW_SIZE = new IntSpec(PREFIX + "max_window_size", 1000, 1, 4000, true);

    /** Name and setting prefix of the inference thread pool ({@code .size}, {@code .queue_size}): at most one model run per core. */
    public static final String INFERENCE_POOL = "shard_rerank_inference";
    public static final String INFERENCE_POOL_PREFIX = PREFIX + "inference";
    public static final int INFERENCE_QUEUE_SIZE = 1000;

    /** Name of the circuit breaker that accounts inference memory (shown in {@code GET _nodes/stats/breaker}). */
    public static final String BREAKER_NAME = "shard_rerank";

    /**
     * Limit of the {@link #BREAKER_NAME} breaker. It holds the texts, token ids and rows of the rescore windows in progress
     * and, per model run in flight, its input tensors and estimated activations (ONNX Runtime's native memory: off the
     * heap, but one limit then bounds all that inference holds). 20% of a 1 GB heap holds two concurrent
     * 8 x 256-token BERT-base runs (~88 MB each by the estimate) and their windows; 10% would reject the second run of one
     * ordinary request on a 2-core node.
     */
    public static final MemorySpec BREAKER_LIMIT = new MemorySpec(PREFIX + "breaker.limit", "20%", true);

    /** ONNX Runtime intra-op threads per model run. */
    public static final IntSpec INTRA_OP_THREADS = new IntSpec(PREFIX + "onnx.intra_op_threads", 1, 1, 256, false);

    /** Upper bound of batch size x padded length: ONNX Runtime's arena keeps what its largest batch needed. */
    public static final IntSpec MAX_BATCH_TOKENS = new IntSpec(PREFIX + "max_batch_tokens", 8192, 64, 1 << 20, true);

    /** Pairs per model run when the request does not say. */
    public static final IntSpec DEFAULT_BATCH_SIZE = new IntSpec(PREFIX + "default_batch_size", 8, 1, 1024, true);

    /**
     * Texts per model run when embedding. 1 keeps every vector independent of the texts it is embedded with: int8
     * dynamically quantized models scale activations over the whole batch, so batched rows differ slightly (cosine
     * ~0.99 to the row alone) in exchange for ~1.5x throughput on CPU.
     */
    public static final IntSpec EMBEDDING_BATCH_SIZE = new IntSpec(PREFIX + "embedding.batch_size", 1, 1, 1024, true);

    /** Query vectors kept per node, so a repeated search text (paging, dashboards refreshing) is embedded once. */
    public static final IntSpec EMBEDDING_QUERY_CACHE_SIZE = new IntSpec(PREFIX + "embedding.query_cache_size", 1000, 0, 1_000_000, false);

    /** Execution device ({@link Device}); cuda falls back to cpu (logged, and shown in stats) when CUDA cannot be used. */
    public static final String DEVICE_KEY = PREFIX + "device";

    /** CUDA device ordinal when the device is cuda. */
    public static final IntSpec CUDA_DEVICE_ID = new IntSpec(PREFIX + "cuda.device_id", 0, 0, Integer.MAX_VALUE, false);

    /**
     * How long a rescore may wait for inference on one shard when the request does not say: long enough for a window of
     * 200 long passages on 2 cores (~8 s), short enough that a search never hangs for half a minute behind a busy model.
     */
    public static final TimeSpec DEFAULT_TIMEOUT = new TimeSpec(PREFIX + "default_timeout", 10_000, 1, true);

    public enum Device {
        CPU, CUDA;

        public static Device parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("[" + DEVICE_KEY + "] must be one of [cpu, cuda], got [" + value + "]");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private SettingSpecs() {}
}
