package org.shardrerank.opensearch.pipeline;

import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.opensearch.index.query.QueryStringQueryBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The words of a {@code query_string} (Discover's Lucene syntax) that search analysed text fields: it is parsed with
 * Lucene's classic syntax so that {@code level:ERROR AND message:(disk failure)} gives "disk failure" when only
 * {@code message} is text. Negated words, ranges, wildcards and fuzzy terms are not words to embed.
 */
final class QueryStringText {
    /** Stands for the clause's own fields while parsing; never a real field name (mappings refuse empty names). */
    private static final String OWN_FIELDS = "";

    /**
     * @param text        the words on text fields, joined by spaces; empty when there are none
     * @param otherFields the fields named with words that are not analysed text
     */
    record Words(String text, List<String> otherFields) {}

    private QueryStringText() {}

    static Words of(QueryStringQueryBuilder query, TextFields types) {
        List<String> own = new ArrayList<>(query.fields().keySet());
        if (own.isEmpty() && query.defaultField() != null) {
            own.add(query.defaultField());
        }
        boolean ownIsText = types.anyText(own);
        QueryParser parser = new QueryParser(OWN_FIELDS, new WhitespaceAnalyzer());
        parser.setAllowLeadingWildcard(true);
        Query parsed;
        try {
            parsed = parser.parse(query.queryString());
        } catch (ParseException | RuntimeException e) {
            return new Words("", List.of()); // the search itself reports the syntax error
        }
        Set<String> words = new LinkedHashSet<>();
        Set<String> other = new LinkedHashSet<>();
        parsed.visit(new QueryVisitor() {
            @Override
            public void consumeTerms(Query q, Term... terms) {
                for (Term t : terms) {
                    boolean text = t.field().equals(OWN_FIELDS) ? ownIsText : types.isText(t.field());
                    if (text) {
                        words.add(t.text());
                    } else {
                        other.add(t.field().equals(OWN_FIELDS) ? (own.isEmpty() ? "*" : String.join(",", own)) : t.field());
                    }
                }
            }

            @Override
            public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
                return occur == BooleanClause.Occur.MUST_NOT ? EMPTY_VISITOR : this;
            }
        });
        // Lucene's boolean query visits its clauses in no set order: put the words back in the order they were typed
        String typed = query.queryString();
        List<String> ordered = words.stream().sorted(Comparator.comparingInt(w -> {
            int at = typed.indexOf(w);
            return at < 0 ? Integer.MAX_VALUE : at;
        })).toList();
        return new Words(String.join(" ", ordered), List.copyOf(other));
    }
}
