package org.shardrerank.spike;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.search.Weight;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Runs each sub-query's top window with the shard's searcher inside createWeight, fuses by RRF, serves the fused docs. */
public final class SpikeRrfQuery extends Query {
    final List<Query> subs;
    final int window;

    public SpikeRrfQuery(List<Query> subs, int window) {
        this.subs = subs;
        this.window = window;
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
        Probe.SUB_SEARCH_THREADS.add("createWeight on " + Thread.currentThread().getName() + " searcher=" + searcher.getClass().getSimpleName()
            + " slices=" + searcher.getSlices().length);
        Map<Integer, Float> fused = new TreeMap<>();
        for (Query sub : subs) {
            TopDocs top = searcher.search(sub, new Recording(new TopScoreDocCollectorManager(window, null, window)));
            for (int r = 0; r < top.scoreDocs.length; r++) {
                fused.merge(top.scoreDocs[r].doc, 1f / (60 + r + 1), Float::sum);
            }
        }
        int[] docs = fused.keySet().stream().mapToInt(Integer::intValue).toArray();
        float[] scores = new float[docs.length];
        for (int i = 0; i < docs.length; i++) {
            scores[i] = fused.get(docs[i]) * boost;
        }
        return new Weight(this) {
            @Override
            public Explanation explain(LeafReaderContext context, int doc) {
                int i = Arrays.binarySearch(docs, context.docBase + doc);
                return i >= 0 ? Explanation.match(scores[i], "spike_rrf fused score") : Explanation.noMatch("not fused");
            }

            @Override
            public boolean isCacheable(LeafReaderContext ctx) {
                return false;
            }

            @Override
            public ScorerSupplier scorerSupplier(LeafReaderContext context) {
                int from = lowerBound(docs, context.docBase);
                int to = lowerBound(docs, context.docBase + context.reader().maxDoc());
                if (from == to) {
                    return null;
                }
                Weight weight = this;
                return new ScorerSupplier() {
                    @Override
                    public Scorer get(long leadCost) {
                        return new ArrayScorer(docs, scores, from, to, context.docBase);
                    }

                    @Override
                    public long cost() {
                        return to - from;
                    }
                };
            }
        };
    }

    private static int lowerBound(int[] a, int key) {
        int i = Arrays.binarySearch(a, key);
        return i >= 0 ? i : -i - 1;
    }

    static final class ArrayScorer extends Scorer {
        final int[] docs;
        final float[] scores;
        final int from, to, base;
        int pos;

        ArrayScorer(int[] docs, float[] scores, int from, int to, int base) {
            this.docs = docs;
            this.scores = scores;
            this.from = from;
            this.to = to;
            this.base = base;
            this.pos = from - 1;
        }

        @Override
        public int docID() {
            return pos < from ? -1 : pos >= to ? DocIdSetIterator.NO_MORE_DOCS : docs[pos] - base;
        }

        @Override
        public DocIdSetIterator iterator() {
            return new DocIdSetIterator() {
                @Override
                public int docID() {
                    return ArrayScorer.this.docID();
                }

                @Override
                public int nextDoc() {
                    pos++;
                    return docID();
                }

                @Override
                public int advance(int target) {
                    while (docID() < target) {
                        pos++;
                    }
                    return docID();
                }

                @Override
                public long cost() {
                    return to - from;
                }
            };
        }

        @Override
        public float getMaxScore(int upTo) {
            return Float.MAX_VALUE;
        }

        @Override
        public float score() {
            return scores[pos];
        }
    }

    /** Records which threads collect the sub-searches' leaves. */
    record Recording(TopScoreDocCollectorManager inner) implements CollectorManager<Recording.Wrapped, TopDocs> {
        record Wrapped(TopScoreDocCollector c) implements Collector {
            @Override
            public LeafCollector getLeafCollector(LeafReaderContext context) throws IOException {
                Probe.COLLECT_THREADS.add("leaf collected on " + Thread.currentThread().getName());
                return c.getLeafCollector(context);
            }

            @Override
            public ScoreMode scoreMode() {
                return c.scoreMode();
            }
        }

        @Override
        public Wrapped newCollector() throws IOException {
            return new Wrapped(inner.newCollector());
        }

        @Override
        public TopDocs reduce(Collection<Wrapped> collectors) throws IOException {
            Probe.COLLECT_THREADS.add("reduce on " + Thread.currentThread().getName() + " collectors=" + collectors.size());
            return inner.reduce(collectors.stream().map(Wrapped::c).toList());
        }
    }

    @Override
    public void visit(QueryVisitor visitor) {
        QueryVisitor v = visitor.getSubVisitor(org.apache.lucene.search.BooleanClause.Occur.SHOULD, this);
        for (Query q : subs) {
            q.visit(v);
        }
    }

    @Override
    public String toString(String field) {
        return "spike_rrf(" + subs + ", window=" + window + ")";
    }

    @Override
    public boolean equals(Object o) {
        return sameClassAs(o) && ((SpikeRrfQuery) o).subs.equals(subs) && ((SpikeRrfQuery) o).window == window;
    }

    @Override
    public int hashCode() {
        return classHash() * 31 + subs.hashCode() + window;
    }
}
