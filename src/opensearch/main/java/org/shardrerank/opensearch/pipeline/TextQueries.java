package org.shardrerank.opensearch.pipeline;

import org.opensearch.index.query.BoolQueryBuilder;
import org.opensearch.index.query.MatchBoolPrefixQueryBuilder;
import org.opensearch.index.query.MatchPhrasePrefixQueryBuilder;
import org.opensearch.index.query.MatchPhraseQueryBuilder;
import org.opensearch.index.query.MatchQueryBuilder;
import org.opensearch.index.query.MultiMatchQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryStringQueryBuilder;
import org.opensearch.index.query.SimpleQueryStringBuilder;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the search text of a request: the clauses of its query that search <em>analysed text fields</em> of the
 * target indices ({@code match}, {@code match_phrase}, {@code match_phrase_prefix}, {@code match_bool_prefix},
 * {@code multi_match}, {@code query_string}, {@code simple_query_string}), anywhere in the positive clauses of its
 * {@code bool}s. A clause on a {@code keyword}, numeric, date or unmapped field is a filter, not text: Discover's DQL
 * makes {@code level:ERROR} a {@code match} on {@code level} whatever its type. Negated clauses are never text.
 */
final class TextQueries {
    static final List<String> UNDERSTOOD = List.of(MatchQueryBuilder.NAME, MatchPhraseQueryBuilder.NAME, MatchPhrasePrefixQueryBuilder.NAME,
        MatchBoolPrefixQueryBuilder.NAME, MultiMatchQueryBuilder.NAME, QueryStringQueryBuilder.NAME, SimpleQueryStringBuilder.NAME);

    /**
     * The outcome: the text to embed and the text clauses that rank lexically - or why there are none.
     *
     * @param text    the clauses' texts, distinct, joined by spaces
     * @param lexical the text clause, or a {@code bool.should} of them
     * @param reason  why nothing is text, or null
     */
    record Extraction(String text, QueryBuilder lexical, String reason) {
        static Extraction no(String reason) {
            return new Extraction(null, null, reason);
        }
    }

    private final TextFields types;
    private final List<QueryBuilder> clauses = new ArrayList<>();
    private final Set<String> texts = new LinkedHashSet<>();
    private final Set<String> otherFields = new LinkedHashSet<>();
    private boolean matchesEverything;

    private TextQueries(TextFields types) {
        this.types = types;
    }

    static Extraction of(QueryBuilder query, TextFields types) {
        TextQueries found = new TextQueries(types);
        found.visit(query);
        return found.extraction();
    }

    private void visit(QueryBuilder q) {
        if (q instanceof BoolQueryBuilder bool) {
            for (List<QueryBuilder> positive : List.of(bool.must(), bool.filter(), bool.should())) {
                positive.forEach(this::visit);
            }
            return;
        }
        if (q instanceof QueryStringQueryBuilder qs) {
            if (qs.queryString().strip().equals("*")) {
                matchesEverything = true; // Discover's query for an empty query bar
                return;
            }
            QueryStringText.Words words = QueryStringText.of(qs, types);
            otherFields.addAll(words.otherFields());
            accept(q, words.text());
            return;
        }
        List<String> fields;
        Object value;
        if (q instanceof MatchQueryBuilder m) {
            fields = List.of(m.fieldName());
            value = m.value();
        } else if (q instanceof MatchPhraseQueryBuilder m) {
            fields = List.of(m.fieldName());
            value = m.value();
        } else if (q instanceof MatchPhrasePrefixQueryBuilder m) {
            fields = List.of(m.fieldName());
            value = m.value();
        } else if (q instanceof MatchBoolPrefixQueryBuilder m) {
            fields = List.of(m.fieldName());
            value = m.value();
        } else if (q instanceof MultiMatchQueryBuilder m) {
            fields = List.copyOf(m.fields().keySet());
            value = m.value();
        } else if (q instanceof SimpleQueryStringBuilder s) {
            fields = List.copyOf(s.fields().keySet());
            value = s.value();
        } else {
            return; // range, term, exists, ...: filters
        }
        if (types.anyText(fields)) {
            accept(q, value == null ? "" : value.toString());
        } else {
            otherFields.addAll(fields.isEmpty() ? List.of("*") : fields);
        }
    }

    private void accept(QueryBuilder clause, String text) {
        String t = text.strip();
        if (t.isEmpty() || t.equals("*")) {
            matchesEverything |= t.equals("*");
            return;
        }
        clauses.add(clause);
        texts.add(t);
    }

    private Extraction extraction() {
        if (clauses.isEmpty()) {
            if (matchesEverything) {
                return Extraction.no("the query text [*] matches everything; there is nothing to embed");
            }
            if (otherFields.isEmpty()) {
                return Extraction.no("no clause of " + UNDERSTOOD + " in the query");
            }
            List<String> indices = types.indices();
            String named = indices.size() <= 3 ? indices.toString() : indices.subList(0, 3) + " and " + (indices.size() - 3) + " more indices";
            return Extraction.no("no clause searches an analysed text field of " + named + ": " + otherFields
                + (otherFields.size() == 1 ? " is" : " are") + " not text, so the query only filters");
        }
        QueryBuilder lexical = clauses.size() == 1 ? clauses.get(0) : new BoolQueryBuilder();
        if (clauses.size() > 1) {
            clauses.forEach(((BoolQueryBuilder) lexical)::should);
        }
        return new Extraction(String.join(" ", texts), lexical, null);
    }
}
