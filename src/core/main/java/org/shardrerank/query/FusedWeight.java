package org.shardrerank.query;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;
import org.shardrerank.fusion.FusedRanking;

import java.util.ArrayList;
import java.util.List;

/** Serves a shard's fused documents segment by segment: each segment owns a contiguous range of slots. */
final class FusedWeight extends Weight {
    private final HybridRrfQuery query;
    private final FusedRanking ranking;
    private final float boost;

    FusedWeight(HybridRrfQuery query, FusedRanking ranking, float boost) {
        super(query);
        this.query = query;
        this.ranking = ranking;
        this.boost = boost;
    }

    private int firstSlot(LeafReaderContext context) {
        return ranking.firstSlotFrom(context.docBase);
    }

    private int endSlot(LeafReaderContext context) {
        return ranking.firstSlotFrom(context.docBase + context.reader().maxDoc());
    }

    @Override
    public ScorerSupplier scorerSupplier(LeafReaderContext context) {
        int from = firstSlot(context);
        int to = endSlot(context);
        if (from == to) {
            return null;
        }
        return new ScorerSupplier() {
            @Override
            public Scorer get(long leadCost) {
                return new FusedScorer(ranking, from, to, context.docBase, boost);
            }

            @Override
            public long cost() {
                return to - from;
            }
        };
    }

    /** Exact: the fused documents were found live in this very reader. */
    @Override
    public int count(LeafReaderContext context) {
        return endSlot(context) - firstSlot(context);
    }

    /** Arrays of one searcher's doc ids: nothing to share with another reader or request. */
    @Override
    public boolean isCacheable(LeafReaderContext ctx) {
        return false;
    }

    /** Lucene's explanation grammar ("sum of:", "computed as ... from:") so tools can check it adds up. */
    @Override
    public Explanation explain(LeafReaderContext context, int doc) {
        int slot = ranking.slot(context.docBase + doc);
        if (slot < 0) {
            return Explanation.noMatch("hybrid_rrf: not in the top " + query.windowSize() + " of any sub-query");
        }
        List<Explanation> parts = new ArrayList<>();
        for (int i = 0; i < query.queries().size(); i++) {
            int rank = ranking.rank(slot, i);
            String sub = "queries[" + i + "] " + query.queries().get(i);
            if (rank == 0) {
                parts.add(Explanation.noMatch(sub + ": not in its top " + query.windowSize()));
            } else {
                float w = query.weight(i);
                int k = query.rankConstant();
                parts.add(Explanation.match((float) (w / ((double) k + rank)),
                    sub + ": rank " + rank + ", computed as weight / (rank_constant + rank) from:",
                    Explanation.match(w, "weight"), Explanation.match(k, "rank_constant"), Explanation.match(rank, "rank"),
                    Explanation.match(ranking.listScore(slot, i), "score of queries[" + i + "], informational")));
            }
        }
        float served = ranking.score(slot);
        String note = served == (float) ranking.sum(slot) ? ""
            : " (the sum " + ranking.sum(slot) + " lowered to rank after a document with the same float sum and a better best rank or lower doc id)";
        Explanation fused = Explanation.match(served, "hybrid_rrf" + note + ", sum of:", parts);
        return boost == 1f ? fused : Explanation.match(served * boost, "hybrid_rrf, product of:", Explanation.match(boost, "boost"), fused);
    }
}
