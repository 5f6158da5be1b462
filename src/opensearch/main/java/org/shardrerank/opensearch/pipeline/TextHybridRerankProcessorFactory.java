package org.shardrerank.opensearch.pipeline;

import org.opensearch.action.search.SearchRequest;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.index.query.MatchQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.ingest.ConfigurationUtils;
import org.opensearch.search.pipeline.Processor;
import org.opensearch.search.pipeline.SearchRequestProcessor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a {@code text_hybrid_rerank} processor's configuration:
 * <pre>{"text_hybrid_rerank": {"model": "all-minilm-l6-v2", "vector_field": "body_vector", "k": 100,
 *     "first_stage": "hybrid_rrf", "hybrid": {"rank_constant": 60, "window_size": 100},
 *     "rerank": {"model": "my-cross-encoder", "fields": ["title", "body"], "window_size": 50}}}</pre>
 * The configuration is tried once with a probe text, so a query or option the node does not know fails the
 * pipeline's creation, not the first search.
 */
public final class TextHybridRerankProcessorFactory implements Processor.Factory<SearchRequestProcessor> {
    static final int DEFAULT_K = 100;

    private final NamedXContentRegistry registry;
    private final ThreadContext threadContext;
    private final Function<SearchRequest, TextFields> fieldTypes;

    public TextHybridRerankProcessorFactory(NamedXContentRegistry registry, ThreadContext threadContext, TargetMappings mappings) {
        this(registry, threadContext, mappings::of);
    }

    TextHybridRerankProcessorFactory(NamedXContentRegistry registry, ThreadContext threadContext,
                                     Function<SearchRequest, TextFields> fieldTypes) {
        this.registry = registry;
        this.threadContext = threadContext;
        this.fieldTypes = fieldTypes;
    }

    @Override
    public TextHybridRerankProcessor create(Map<String, Processor.Factory<SearchRequestProcessor>> factories, String tag,
                                            String description, boolean ignoreFailure, Map<String, Object> config,
                                            Processor.PipelineContext context) throws Exception {
        String type = TextHybridRerankProcessor.TYPE;
        String model = ConfigurationUtils.readStringProperty(type, tag, config, "model");
        String vectorField = ConfigurationUtils.readStringProperty(type, tag, config, "vector_field");
        int k = ConfigurationUtils.readIntProperty(type, tag, config, "k", DEFAULT_K);
        FirstStage firstStage;
        try {
            firstStage = FirstStage.parse(ConfigurationUtils.readStringProperty(type, tag, config, "first_stage", FirstStage.HYBRID_RRF.toString()));
        } catch (IllegalArgumentException e) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "first_stage", e.getMessage());
        }
        Map<String, Object> hybrid = options(ConfigurationUtils.readOptionalMap(type, tag, config, "hybrid"));
        if (firstStage != FirstStage.HYBRID_RRF && hybrid.isEmpty() == false) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "hybrid", "applies to [first_stage] [hybrid_rrf] only");
        }
        for (String own : RewritePlan.HYBRID_OWN_KEYS) {
            if (hybrid.containsKey(own)) {
                throw ConfigurationUtils.newConfigurationException(type, tag, "hybrid." + own, "is made by the processor from the request");
            }
        }
        Map<String, Object> rerank = options(ConfigurationUtils.readOptionalMap(type, tag, config, "rerank"));
        if (rerank.containsKey("query_text")) {
            throw ConfigurationUtils.newConfigurationException(type, tag, "rerank.query_text", "is taken from the request");
        }
        RewritePlan plan = new RewritePlan(model, vectorField, k, firstStage, hybrid, rerank);
        try {
            QueryBuilder probe = new MatchQueryBuilder("probe_field", "probe text");
            plan.build(registry, probe, new TextQueries.Extraction("probe text", probe, null));
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String message = root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
            throw ConfigurationUtils.newConfigurationException(type, tag, null, "the configuration does not make a valid search: " + message);
        }
        return new TextHybridRerankProcessor(tag, description, ignoreFailure, plan, registry, threadContext, fieldTypes);
    }

    private static Map<String, Object> options(Map<String, Object> map) {
        return map == null ? Map.of() : new LinkedHashMap<>(map);
    }
}
