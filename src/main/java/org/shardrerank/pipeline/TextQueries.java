package org.shardrerank.pipeline;

import org.opensearch.index.query.BoolQueryBuilder;
import org.opensearch.index.query.MatchAllQueryBuilder;
import org.opensearch.index.query.MatchQueryBuilder;
import org.opensearch.index.query.MultiMatchQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryStringQueryBuilder;
import org.opensearch.index.query.SimpleQueryStringBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the search text in a plain request: a {@code match}, {@code multi_match}, {@code query_string} or
 * {@code simple_query_string} query, alone or as the one text clause of a {@code bool} whose other clauses only
 * restrict (what Dashboards Discover sends: the query bar's query next to time-range and filter-pill clauses).
 */
final class TextQueries {
    static final List<String> UNDERSTOOD = List.of(MatchQueryBuilder.NAME, MultiMatchQueryBuilder.NAME, QueryStringQueryBuilder.NAME,
        SimpleQueryStringBuilder.NAME);

    private TextQueries() {}

    /** The outcome: the text, the query that found it, and the clauses that restrict the hits (null if none) - or why not. */
    record Extraction(String text, QueryBuilder lexical, BoolQueryBuilder restrictions, String reason) {
        boolean understood() {
            return reason == null;
        }

        static Extraction no(String reason) {
            return new Extraction(null, null, null, reason);
        }
    }

    static Extraction of(QueryBuilder query) {
        if (query == null) {
            return Extraction.no("the request has no query");
        }
        QueryBuilder single = unwrap(query);
        String text = textOf(single);
        if (text != null) {
            return checked(text, single, null);
        }
        if (single instanceof BoolQueryBuilder bool) {
            return ofBool(bool);
        }
        return Extraction.no("query [" + single.getName() + "] is not one of " + UNDERSTOOD);
    }

    private static Extraction ofBool(BoolQueryBuilder bool) {
        List<QueryBuilder> texts = new ArrayList<>();
        BoolQueryBuilder restrictions = new BoolQueryBuilder();
        for (List<QueryBuilder> clauses : List.of(bool.must(), bool.filter())) {
            for (QueryBuilder c : clauses) {
                QueryBuilder u = unwrap(c);
                if (textOf(u) != null) {
                    texts.add(u);
                } else if (u instanceof MatchAllQueryBuilder == false) {
                    restrictions.filter(c);
                }
            }
        }
        if (bool.should().isEmpty() == false) {
            QueryBuilder u = unwrap(bool.should().get(0));
            if (bool.should().size() > 1 || textOf(u) == null || texts.isEmpty() == false) {
                return Extraction.no("[bool] has [should] clauses other than one search text");
            }
            texts.add(u);
        }
        if (texts.size() != 1) {
            return Extraction.no(texts.isEmpty() ? "[bool] has no clause of " + UNDERSTOOD : "[bool] has " + texts.size() + " search texts");
        }
        for (QueryBuilder c : bool.mustNot()) {
            restrictions.mustNot(c);
        }
        boolean restricts = restrictions.filter().isEmpty() == false || restrictions.mustNot().isEmpty() == false;
        return checked(textOf(texts.get(0)), texts.get(0), restricts ? restrictions : null);
    }

    private static Extraction checked(String text, QueryBuilder lexical, BoolQueryBuilder restrictions) {
        String t = text.strip();
        if (t.isEmpty() || t.equals("*")) {
            return Extraction.no("the query text [" + t + "] matches everything; there is nothing to embed");
        }
        return new Extraction(t, lexical, restrictions, null);
    }

    /** A bool of exactly one positive clause (what Dashboards' DQL makes of {@code field:value}) is that clause. */
    private static QueryBuilder unwrap(QueryBuilder q) {
        while (q instanceof BoolQueryBuilder b && b.mustNot().isEmpty()
            && b.must().size() + b.filter().size() + b.should().size() == 1) {
            QueryBuilder inner = b.must().isEmpty() ? (b.filter().isEmpty() ? b.should().get(0) : b.filter().get(0)) : b.must().get(0);
            if (textOf(inner) == null && inner instanceof BoolQueryBuilder == false) {
                return q;
            }
            q = inner;
        }
        return q;
    }

    static String textOf(QueryBuilder q) {
        if (q instanceof MatchQueryBuilder m) {
            return m.value() == null ? null : m.value().toString();
        }
        if (q instanceof MultiMatchQueryBuilder m) {
            return m.value() == null ? null : m.value().toString();
        }
        if (q instanceof QueryStringQueryBuilder qs) {
            return qs.queryString();
        }
        if (q instanceof SimpleQueryStringBuilder s) {
            return s.value();
        }
        return null;
    }
}
