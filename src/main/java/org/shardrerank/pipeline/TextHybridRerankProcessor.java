package org.shardrerank.pipeline;

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

/**
 * The {@code text_hybrid_rerank} search request processor, for clients that cannot change their DSL (Dashboards
 * Discover, saved searches, existing applications): set as an index's default search pipeline, it turns a plain
 * text request ({@code match}, {@code multi_match}, {@code query_string}, {@code simple_query_string}, alone or
 * inside a restricting {@code bool}) into {@code hybrid_rrf} of that query and a {@code text_knn} query, plus the
 * {@code cross_encoder} rescore. Other requests pass through unchanged; the response header {@link #HEADER} says
 * which happened and why.
 */
public final class TextHybridRerankProcessor extends AbstractProcessor implements SearchRequestProcessor {
    public static final String TYPE = "text_hybrid_rerank";
    public static final String HEADER = "X-Shard-Rerank-Pipeline";
    private static final Logger logger = LogManager.getLogger(TextHybridRerankProcessor.class);

    private final RewritePlan plan;
    private final NamedXContentRegistry registry;
    private final ThreadContext threadContext;

    TextHybridRerankProcessor(String tag, String description, boolean ignoreFailure, RewritePlan plan, NamedXContentRegistry registry,
                              ThreadContext threadContext) {
        super(tag, description, ignoreFailure);
        this.plan = plan;
        this.registry = registry;
        this.threadContext = threadContext;
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
            text = TextQueries.of(source.query());
            reason = text.reason();
        }
        if (reason != null) {
            logger.debug("[{}] passes the request through: {}", TYPE, reason);
            threadContext.addResponseHeader(HEADER, "passthrough; " + reason);
            return request;
        }
        SearchSourceBuilder made = plan.build(registry, text);
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
        threadContext.addResponseHeader(HEADER, "rewritten; " + plan.firstStage() + (plan.rerank().isEmpty() ? "" : " + cross_encoder"));
        return request;
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
            return "the request asks for no hits ([size] 0): nothing to rank, and the vector side would change its counts";
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
