package org.shardrerank;

import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Setting.Property;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.core.common.unit.ByteSizeValue;

import java.util.List;
import java.util.Locale;

/** Every node setting of the plugin, declared once. */
public final class PluginSettings {

    public static final String PREFIX = "plugins.shard_rerank.";

    /** Folder of model folders; empty means {@code <config>/shard-rerank/models}. */
    public static final Setting<String> MODELS_PATH = Setting.simpleString(PREFIX + "models.path", Property.NodeScope);

    /** Largest rescore window a request may ask for, per shard; explain carries up to 4000 windows' numbers to the fetch phase. */
    public static final Setting<Integer> MAX_WINDOW_SIZE = Setting.intSetting(
        PREFIX + "max_window_size", 1000, 1, 4000, Property.NodeScope, Property.Dynamic);

    /** Name and setting prefix of the inference thread pool ({@code .size}, {@code .queue_size}): at most one model run per core. */
    public static final String INFERENCE_POOL = "shard_rerank_inference";
    public static final String INFERENCE_POOL_PREFIX = PREFIX + "inference";
    public static final int INFERENCE_QUEUE_SIZE = 1000;

    /** Name of the circuit breaker that accounts inference memory (shown in {@code GET _nodes/stats/breaker}). */
    public static final String BREAKER_NAME = "shard_rerank";

    /**
     * Limit of the {@link #BREAKER_NAME} breaker. It holds the texts, token ids and rows of the rescore windows in progress
     * and, per model run in flight, its input tensors and estimated activations (ONNX Runtime's native memory: off the
     * heap, but one limit then bounds all that inference holds). 20% of the default 1 GB heap holds two concurrent
     * 8 x 256-token BERT-base runs (~88 MB each by the estimate) and their windows; 10% would reject the second run of one
     * ordinary request on a 2-core node.
     */
    public static final Setting<ByteSizeValue> BREAKER_LIMIT = Setting.memorySizeSetting(
        PREFIX + "breaker.limit", "20%", Property.NodeScope, Property.Dynamic);

    /** ONNX Runtime intra-op threads per model run. */
    public static final Setting<Integer> INTRA_OP_THREADS = Setting.intSetting(
        PREFIX + "onnx.intra_op_threads", 1, 1, 256, Property.NodeScope);

    /** Upper bound of batch size x padded length: ONNX Runtime's arena keeps what its largest batch needed. */
    public static final Setting<Integer> MAX_BATCH_TOKENS = Setting.intSetting(
        PREFIX + "max_batch_tokens", 8192, 64, 1 << 20, Property.NodeScope, Property.Dynamic);

    /** Pairs per model run when the request does not say. */
    public static final Setting<Integer> DEFAULT_BATCH_SIZE = Setting.intSetting(
        PREFIX + "default_batch_size", 8, 1, 1024, Property.NodeScope, Property.Dynamic);

    /**
     * Texts per model run when embedding. 1 keeps every vector independent of the texts it is embedded with: int8
     * dynamically quantized models scale activations over the whole batch, so batched rows differ slightly (cosine
     * ~0.99 to the row alone) in exchange for ~1.5x throughput on CPU.
     */
    public static final Setting<Integer> EMBEDDING_BATCH_SIZE = Setting.intSetting(
        PREFIX + "embedding.batch_size", 1, 1, 1024, Property.NodeScope, Property.Dynamic);

    /** Query vectors kept per node, so a repeated search text (paging, dashboards refreshing) is embedded once. */
    public static final Setting<Integer> EMBEDDING_QUERY_CACHE_SIZE = Setting.intSetting(
        PREFIX + "embedding.query_cache_size", 1000, 0, 1_000_000, Property.NodeScope);

    /** Execution device; cuda falls back to cpu (logged, and shown in stats) when CUDA cannot be used. */
    public static final Setting<Device> DEVICE = new Setting<>(
        PREFIX + "device", "cpu", Device::parse, Property.NodeScope);

    /** CUDA device ordinal when {@link #DEVICE} is cuda. */
    public static final Setting<Integer> CUDA_DEVICE_ID = Setting.intSetting(PREFIX + "cuda.device_id", 0, 0, Property.NodeScope);

    /**
     * How long a rescore may wait for inference on one shard when the request does not say: long enough for a window of
     * 200 long passages on 2 cores (~8 s), short enough that a search never hangs for half a minute behind a busy model.
     */
    public static final Setting<TimeValue> DEFAULT_TIMEOUT = Setting.timeSetting(
        PREFIX + "default_timeout", TimeValue.timeValueSeconds(10), TimeValue.timeValueMillis(1),
        Property.NodeScope, Property.Dynamic);

    public enum Device {
        CPU, CUDA;

        static Device parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("[" + PREFIX + "device] must be one of [cpu, cuda], got [" + value + "]");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static List<Setting<?>> all() {
        return List.of(MODELS_PATH, MAX_WINDOW_SIZE, BREAKER_LIMIT, INTRA_OP_THREADS,
            MAX_BATCH_TOKENS, DEFAULT_BATCH_SIZE, DEVICE, CUDA_DEVICE_ID, DEFAULT_TIMEOUT, EMBEDDING_BATCH_SIZE, EMBEDDING_QUERY_CACHE_SIZE);
    }

    private PluginSettings() {}
}
