package org.shardrerank.opensearch;

import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Setting.Property;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.core.common.unit.ByteSizeValue;
import org.shardrerank.settings.SettingSpecs;
import org.shardrerank.settings.SettingSpecs.Device;

import java.util.List;

/** The plugin's node settings ({@link SettingSpecs}) as OpenSearch settings. */
public final class PluginSettings {

    public static final Setting<String> MODELS_PATH = text(SettingSpecs.MODELS_PATH);
    public static final Setting<Integer> MAX_WINDOW_SIZE = integer(SettingSpecs.MAX_WINDOW_SIZE);
    public static final Setting<ByteSizeValue> BREAKER_LIMIT = memory(SettingSpecs.BREAKER_LIMIT);
    public static final Setting<Integer> INTRA_OP_THREADS = integer(SettingSpecs.INTRA_OP_THREADS);
    public static final Setting<Integer> MAX_BATCH_TOKENS = integer(SettingSpecs.MAX_BATCH_TOKENS);
    public static final Setting<Integer> DEFAULT_BATCH_SIZE = integer(SettingSpecs.DEFAULT_BATCH_SIZE);
    public static final Setting<Integer> EMBEDDING_BATCH_SIZE = integer(SettingSpecs.EMBEDDING_BATCH_SIZE);
    public static final Setting<Integer> EMBEDDING_QUERY_CACHE_SIZE = integer(SettingSpecs.EMBEDDING_QUERY_CACHE_SIZE);
    public static final Setting<Device> DEVICE = new Setting<>(SettingSpecs.DEVICE_KEY, "cpu", Device::parse, Property.NodeScope);
    public static final Setting<Integer> CUDA_DEVICE_ID = integer(SettingSpecs.CUDA_DEVICE_ID);
    public static final Setting<TimeValue> DEFAULT_TIMEOUT = time(SettingSpecs.DEFAULT_TIMEOUT);

    public static List<Setting<?>> all() {
        return List.of(MODELS_PATH, MAX_WINDOW_SIZE, BREAKER_LIMIT, INTRA_OP_THREADS,
            MAX_BATCH_TOKENS, DEFAULT_BATCH_SIZE, DEVICE, CUDA_DEVICE_ID, DEFAULT_TIMEOUT, EMBEDDING_BATCH_SIZE, EMBEDDING_QUERY_CACHE_SIZE);
    }

    private static Property[] properties(boolean dynamic) {
        return dynamic ? new Property[] { Property.NodeScope, Property.Dynamic } : new Property[] { Property.NodeScope };
    }

    private static Setting<Integer> integer(SettingSpecs.IntSpec s) {
        return Setting.intSetting(s.key(), s.defaultValue(), s.min(), s.max(), properties(s.dynamic()));
    }

    private static Setting<TimeValue> time(SettingSpecs.TimeSpec s) {
        return Setting.timeSetting(s.key(), TimeValue.timeValueMillis(s.defaultMillis()), TimeValue.timeValueMillis(s.minMillis()),
            properties(s.dynamic()));
    }

    private static Setting<ByteSizeValue> memory(SettingSpecs.MemorySpec s) {
        return Setting.memorySizeSetting(s.key(), s.defaultValue(), properties(s.dynamic()));
    }

    private static Setting<String> text(SettingSpecs.TextSpec s) {
        return Setting.simpleString(s.key(), properties(s.dynamic()));
    }

    private PluginSettings() {}
}
