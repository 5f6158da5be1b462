package org.shardrerank.opensearch.pipeline;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.opensearch.action.search.SearchRequest;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.search.pipeline.AbstractProcessor;
import org.opensearch.search.pipeline.SearchRequestProcessor;
import org.opensearch.search.sort.ScoreSortBuilder;
import org.opensearch.search.sort.SortBuilder;
import org.opensearch.search.sort.SortOrder;

import java.util.List;
import java.util.function.Function;

/**
 * The {@code text_hybrid_rerank} search request processor, for clients that cannot change their DSL (Dashboards
 * Discover, saved searches, existing applications): set as an index's default search pipeline, it ranks the hits of
 * a request whose query searches analysed text fields by {@code hybrid_rrf} (those text clauses and a
 * {@code text_knn} query of their text) and the {@code cross_encoder} rescore, while the original query still decides
 * which documents match: hit counts and aggregations do not change. Other requests pass through unchanged; the
 * response header {@link #HEADER} says which happened and why.
 */
public final class TextHybridRerankProcessor extends AbstractProcessor implements SearchRequestProcessor {
    public static final String TYPE = "text_hybrid_rerank";
    public static final String HEADER = "X-Shard-Rerank-Pipeline";
    private static final Logger logger = LogManager.getLogger(TextHybridRerankProcessor.class);

    private final RewritePlan plan;
    private final NamedXContentRegistry registry;
    private final ThreadContext threadContext;
    private final Function<SearchRequest, TextFields> fieldTypes;

    /**
     * @param fieldTypes the field types of a request's target indices; throws when they cannot be known
     */
    TextHybridRerankProcessor(String tag, String description, boolean ignoreFailure, RewritePlan plan, NamedXContentRegistry registry,
                              ThreadContext threadContext, Function<SearchRequest, TextFields> fieldTypes) {
        super(tag, description, ignoreFailure);
        this.plan = plan;
        this.registry = registry;
        this.threadContext = threadContext;
        this.fieldTypes = fieldTypes;
    }

    @Override
    public String getType() {
        return TYPE;
    }

    RewritePlan plan() {
        return plan;
    }

    @Override
    public SearchRequest processRequest(SearchRequest request) throws Exception {
        SearchSourceBuilder source = request.source();
        String reason = source == null ? "the request has no search body" : unsupported(request, source);
        TextQueries.Extraction text = null;
        if (reason == null) {
            text = extract(request, source);
            reason = text.reason();
        }
        if (reason != null) {
            logger.debug("[{}] passes the request through: {}", TYPE, reason);
            threadContext.addResponseHeader(HEADER, ascii("passthrough; " + reason));
            return request;
        }
        SearchSourceBuilder made = plan.build(registry, source.query(), text);
        source.query(made.query());
        source.clearRescorers();
        if (made.rescores() != null) {
            for (var rescorer : made.rescores()) {
                source.addRescorer(rescorer);
            }
        }
        if (source.sorts() != null) {
            source.sorts().clear(); // only [_score] sorts get here
        }
        threadContext.addResponseHeader(HEADER, "rewritten; " + plan.firstStage() + (plan.rerank().isEmpty() ? "" : " + cross_encoder")
            + " rank the query's own matches");
        return request;
    }

    /** Header values must be ASCII; field and index names need not be. */
    private static String ascii(String value) {
        return value.codePoints().map(c -> c >= 0x20 && c < 0x7f ? c : '?')
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private TextQueries.Extraction extract(SearchRequest request, SearchSourceBuilder source) {
        if (source.query() == null) {
            return TextQueries.Extraction.no("the request has no query");
        }
        TextFields types;
        try {
            types = fieldTypes.apply(request);
        } catch (RuntimeException e) {
            // e.g. an unknown index or a remote cluster's: the search reports the former itself
            return TextQueries.Extraction.no("the field types of " + List.of(request.indices()) + " cannot be read here: " + e.getMessage());
        }
        return TextQueries.of(source.query(), types);
    }

    /** Why the request's shape forbids the rewrite, or null. */
    private String unsupported(SearchRequest request, SearchSourceBuilder source) {
        List<SortBuilder<?>> sorts = source.sorts();
        if (sorts != null) {
            for (SortBuilder<?> s : sorts) {
                if (s instanceof ScoreSortBuilder == false || s.order() != SortOrder.DESC) {
                    return "the request sorts by something other than [_score] desc; ranking by relevance needs score order";
                }
            }
        }
        if (source.size() == 0) {
            return "the request asks for no hits ([size] 0): nothing to rank";
        }
        if (source.minScore() != null) {
            return "the request has a [min_score], which would apply to the new scores and change the hits";
        }
        if (source.rescores() != null && source.rescores().isEmpty() == false) {
            return "the request has its own [rescore]";
        }
        if (source.collapse() != null && plan.rerank().isEmpty() == false) {
            return "the request uses [collapse], which cannot be combined with [rescore]";
        }
        if (request.scroll() != null) {
            return "the request is a scroll";
        }
        return null;
    }
}
