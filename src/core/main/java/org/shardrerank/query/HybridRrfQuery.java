package org.shardrerank.query;

import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.search.Weight;
import org.shardrerank.fusion.FusedRanking;
import org.shardrerank.fusion.ReciprocalRankFusion;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Runs each sub-query's top {@code windowSize} on the whole shard, fuses the lists by RRF once, and matches
 * exactly the fused documents with their fused scores.
 *
 * <p>The sub-queries run in {@link #createWeight} rather than in {@code rewrite}: OpenSearch's profiler times a
 * rewrite with a single stopwatch, so a search started inside a rewrite would nest rewrites and break it, and
 * in createWeight the profiler records the sub-queries as children of this query. The searcher is the shard's
 * own, so the sub-queries get its similarity, DFS statistics, cancellation, timeout and concurrent slices.
 */
public final class HybridRrfQuery extends Query {
    private final List<Query> queries;
    private final float[] weights;
    private final int rankConstant;
    private final int windowSize;

    /** The last fusion and the searcher it ran on: explain asks for a weight once per hit. */
    private volatile Fusion last;

    private record Fusion(IndexSearcher searcher, FusedRanking ranking) {}

    public HybridRrfQuery(List<Query> queries, float[] weights, int rankConstant, int windowSize) {
        this.queries = List.copyOf(queries);
        this.weights = weights.clone();
        this.rankConstant = rankConstant;
        this.windowSize = windowSize;
    }

    public List<Query> queries() {
        return queries;
    }

    public float weight(int list) {
        return weights[list];
    }

    public int rankConstant() {
        return rankConstant;
    }

    public int windowSize() {
        return windowSize;
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
        return new FusedWeight(this, ranking(searcher), boost);
    }

    FusedRanking ranking(IndexSearcher searcher) throws IOException {
        Fusion fusion = last;
        if (fusion != null && fusion.searcher() == searcher) {
            return fusion.ranking();
        }
        TopDocs[] lists = new TopDocs[queries.size()];
        for (int i = 0; i < lists.length; i++) {
            // a hit threshold of windowSize lets the sub-query skip non-competitive blocks (WAND): counts are not needed
            lists[i] = searcher.search(queries.get(i), new TopScoreDocCollectorManager(windowSize, null, windowSize));
        }
        FusedRanking ranking = ReciprocalRankFusion.fuse(lists, weights, rankConstant);
        last = new Fusion(searcher, ranking);
        return ranking;
    }

    @Override
    public void visit(QueryVisitor visitor) {
        QueryVisitor sub = visitor.getSubVisitor(BooleanClause.Occur.SHOULD, this);
        for (Query q : queries) {
            q.visit(sub);
        }
    }

    @Override
    public String toString(String field) {
        StringBuilder b = new StringBuilder("hybrid_rrf(");
        for (int i = 0; i < queries.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(queries.get(i).toString(field));
            if (weights[i] != 1f) {
                b.append('^').append(weights[i]);
            }
        }
        return b.append(" | rank_constant=").append(rankConstant).append(", window_size=").append(windowSize).append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (sameClassAs(o) == false) {
            return false;
        }
        HybridRrfQuery that = (HybridRrfQuery) o;
        return rankConstant == that.rankConstant && windowSize == that.windowSize && Arrays.equals(weights, that.weights)
            && queries.equals(that.queries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(classHash(), queries, Arrays.hashCode(weights), rankConstant, windowSize);
    }
}
