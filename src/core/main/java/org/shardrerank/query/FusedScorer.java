package org.shardrerank.query;

import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Scorer;
import org.shardrerank.fusion.FusedRanking;

/** Iterates one segment's range of fused slots; doc ids in the ranking are the shard's, here they are the segment's. */
final class FusedScorer extends Scorer {
    private final FusedRanking ranking;
    private final int from;
    private final int to;
    private final int docBase;
    private final float boost;
    private final float maxScore;
    private int slot;
    private int doc = -1;

    FusedScorer(FusedRanking ranking, int from, int to, int docBase, float boost) {
        this.ranking = ranking;
        this.from = from;
        this.to = to;
        this.docBase = docBase;
        this.boost = boost;
        this.slot = from - 1;
        float max = 0;
        for (int s = from; s < to; s++) {
            max = Math.max(max, ranking.score(s));
        }
        this.maxScore = max * boost;
    }

    @Override
    public int docID() {
        return doc;
    }

    @Override
    public float score() {
        return ranking.score(slot) * boost;
    }

    @Override
    public float getMaxScore(int upTo) {
        return maxScore;
    }

    @Override
    public DocIdSetIterator iterator() {
        return new DocIdSetIterator() {
            @Override
            public int docID() {
                return doc;
            }

            @Override
            public int nextDoc() {
                return moveTo(slot + 1);
            }

            @Override
            public int advance(int target) {
                int s = slot + 1;
                while (s < to && ranking.doc(s) - docBase < target) {
                    s++;
                }
                return moveTo(s);
            }

            @Override
            public long cost() {
                return to - from;
            }
        };
    }

    private int moveTo(int next) {
        slot = next;
        doc = next < to ? ranking.doc(next) - docBase : DocIdSetIterator.NO_MORE_DOCS;
        return doc;
    }
}
