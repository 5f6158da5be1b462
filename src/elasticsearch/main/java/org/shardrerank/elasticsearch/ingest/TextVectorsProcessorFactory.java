package org.shardrerank.elasticsearch.ingest;

import org.elasticsearch.cluster.metadata.ProjectId;
import org.elasticsearch.common.util.concurrent.ThreadContext;
import org.elasticsearch.ingest.ConfigurationUtils;
import org.elasticsearch.ingest.Processor;
import org.shardrerank.embedding.EmbeddingService;
import org.shardrerank.ingest.OnMissing;

import java.util.List;
import java.util.Map;

/**
 * Reads a {@code text_vectors} processor's configuration (the OpenSearch edition's):
 * <pre>{"text_vectors": {"model": "all-minilm-l6-v2", "fields": ["title", "body"], "target_field": "body_vector",
 *                   "on_missing": "fail", "batch_size": 16}}</pre>
 */
public final class TextVectorsProcessorFactory implements Processor.Factory {
    static final int DEFAULT_BATCH_SIZE = 16;
    static final int MAX_BATCH_SIZE = 1024;

    private final EmbeddingService embeddings;
    private final ThreadContext threadContext;
    private final int maxInFlight;

    /** Each processor keeps at most one batch per inference thread in flight (the plugin's default pool size). */
    public TextVectorsProcessorFactory(EmbeddingService embeddings, ThreadContext threadContext) {
        this(embeddings, threadContext, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    TextVectorsProcessorFactory(EmbeddingService embeddings, ThreadContext threadContext, int maxInFlight) {
        this.embeddings = embeddings;
        this.threadContext = threadContext;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public TextVectorsProcessor create(Map<String, Processor.Factory> registry, String tag, String description, Map<String, Object> config,
                                       ProjectId projectId) {
        String type = TextVectorsProcessor.TYPE;
        String model = ConfigurationUtils.readStringProperty(type, tag, config, "model");
        try {
            embeddings.checkModelExists(model);
        } catch (IllegalArgumentException e) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "model", e.getMessage());
        }
        List<String> fields = readFields(tag, config.remove("fields"));
        String target = ConfigurationUtils.readStringProperty(type, tag, config, "target_field");
        if (target.isBlank()) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "target_field", "cannot be empty");
        }
        if (fields.contains(target)) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "target_field", "[" + target + "] is also a source field");
        }
        OnMissing onMissing;
        try {
            onMissing = OnMissing.parse(ConfigurationUtils.readStringProperty(type, tag, config, "on_missing", OnMissing.FAIL.toString()));
        } catch (IllegalArgumentException e) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "on_missing", e.getMessage());
        }
        int batchSize = ConfigurationUtils.readIntProperty(type, tag, config, "batch_size", DEFAULT_BATCH_SIZE);
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "batch_size", "must be in [1, " + MAX_BATCH_SIZE + "], got ["
                + batchSize + "]");
        }
        return new TextVectorsProcessor(tag, description, embeddings, threadContext, model, fields, target, onMissing, batchSize, maxInFlight);
    }

    private static List<String> readFields(String tag, Object value) {
        String type = TextVectorsProcessor.TYPE;
        List<?> raw = value instanceof String ? List.of(value) : value instanceof List<?> l ? l : null;
        if (raw == null || raw.isEmpty()) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "fields", value == null ? "required property is missing"
                : "must be a field name or a non-empty list of field names");
        }
        for (Object f : raw) {
            if (f instanceof String == false || ((String) f).isBlank()) {
                throw ConfigurationUtils.newConfigurationException(type, tag, "fields", "must contain field names only, got [" + f + "]");
            }
        }
        return raw.stream().map(String.class::cast).toList();
    }
}
