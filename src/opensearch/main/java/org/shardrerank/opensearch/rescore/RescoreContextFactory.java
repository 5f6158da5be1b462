package org.shardrerank.opensearch.rescore;

import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.xcontent.support.XContentMapValues;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.SourceFieldMapper;
import org.opensearch.index.query.QueryShardContext;
import org.shardrerank.inference.InferenceScheduler;
import org.shardrerank.inference.MemoryBudget;
import org.shardrerank.opensearch.PluginSettings;
import org.shardrerank.opensearch.util.Errors;
import org.shardrerank.rescore.CrossEncoderRequest;
import org.shardrerank.rescore.FieldChecks;
import org.shardrerank.rescore.RescorePlanner;

import java.util.Map;

/**
 * Builds a shard's rescore context: the shard's mapping as the core's {@link FieldChecks.Mapping}, the plan from the
 * core's {@link RescorePlanner}, whose limits follow the node's dynamic settings.
 */
public final class RescoreContextFactory {
    private final RescorePlanner planner;

    public RescoreContextFactory(RescorePlanner planner) {
        this.planner = planner;
    }

    /** Called once the node's thread pools, inference breaker and cluster settings exist. */
    public void bind(InferenceScheduler inferenceScheduler, MemoryBudget inferenceBudget, ClusterSettings clusterSettings) {
        planner.bind(inferenceScheduler, inferenceBudget);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_WINDOW_SIZE, planner::maxWindowSize);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.MAX_BATCH_TOKENS, planner::maxBatchTokens);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.DEFAULT_BATCH_SIZE, planner::defaultBatchSize);
        clusterSettings.addSettingsUpdateConsumer(PluginSettings.DEFAULT_TIMEOUT, v -> planner.defaultTimeoutMillis(v.millis()));
        planner.maxWindowSize(clusterSettings.get(PluginSettings.MAX_WINDOW_SIZE));
        planner.maxBatchTokens(clusterSettings.get(PluginSettings.MAX_BATCH_TOKENS));
        planner.defaultBatchSize(clusterSettings.get(PluginSettings.DEFAULT_BATCH_SIZE));
        planner.defaultTimeoutMillis(clusterSettings.get(PluginSettings.DEFAULT_TIMEOUT).millis());
    }

    CrossEncoderRescoreContext build(CrossEncoderRequest request, int windowSize, QueryShardContext shard) {
        try {
            return new CrossEncoderRescoreContext(planner.plan(request, windowSize, new ShardMapping(shard)), planner);
        } catch (RuntimeException e) {
            throw Errors.translate(e);
        }
    }

    /** A shard's mapping as the field checks ask about it. */
    private record ShardMapping(QueryShardContext shard) implements FieldChecks.Mapping {
        @Override
        public String index() {
            return shard.index().getName();
        }

        private SourceFieldMapper source() {
            return shard.getMapperService().documentMapper() == null ? null : shard.getMapperService().documentMapper().sourceMapper();
        }

        @Override
        public boolean sourceEnabled() {
            SourceFieldMapper source = source();
            return source == null || source.enabled();
        }

        @Override
        public boolean isObject(String field) {
            return shard.getObjectMapper(field) != null;
        }

        @Override
        public String typeName(String field) {
            MappedFieldType type = shard.fieldMapper(field);
            return type == null ? null : type.typeName();
        }

        @Override
        public boolean keptInSource(String field) {
            SourceFieldMapper source = source();
            if (source == null) {
                return true;
            }
            String[] includes = source.getIncludes().toArray(new String[0]);
            String[] excludes = source.getExcludes().toArray(new String[0]);
            return XContentMapValues.filter(Map.of(field, "x"), includes, excludes).isEmpty() == false;
        }
    }
}
