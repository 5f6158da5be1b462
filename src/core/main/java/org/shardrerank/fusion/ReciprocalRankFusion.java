package org.shardrerank.fusion;

import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Weighted Reciprocal Rank Fusion of ranked lists that come from one index reader:
 * {@code score(d) = sum over lists of weight_i / (rankConstant + rank_i(d))}, ranks starting at 1; a document
 * missing from a list gets nothing from it.
 *
 * <p>Lucene's {@code TopDocs.rrf} computes the same unweighted sum (this class reproduces its values exactly:
 * double sums in list order) but is not used because it has no weights, keeps neither the per-list ranks nor the
 * per-list scores that explain shows, and breaks ties by shard index then doc id. Here ties go to the document
 * with the better best rank, then to the lower doc id, and the scores handed out are made strictly decreasing in
 * that order, so any collector that sorts by score (and the coordinator's merge) keeps it.
 */
public final class ReciprocalRankFusion {

    private ReciprocalRankFusion() {}

    /**
     * @param lists        each list sorted best first, doc ids of one reader, no doc twice in a list
     * @param weights      one positive finite weight per list
     * @param rankConstant added to every rank, at least 1
     */
    public static FusedRanking fuse(TopDocs[] lists, float[] weights, int rankConstant) {
        if (weights.length != lists.length) {
            throw new IllegalArgumentException("expected one weight per list, got " + weights.length + " weights for " + lists.length + " lists");
        }
        if (rankConstant < 1) {
            throw new IllegalArgumentException("rankConstant must be >= 1, got " + rankConstant);
        }
        int n = lists.length;
        int[] docs = union(lists);
        int m = docs.length;
        int[] ranks = new int[m * n];
        float[] listScores = new float[m * n];
        for (int l = 0; l < n; l++) {
            ScoreDoc[] hits = lists[l].scoreDocs;
            for (int r = 0; r < hits.length; r++) {
                int cell = Arrays.binarySearch(docs, hits[r].doc) * n + l;
                if (ranks[cell] != 0) {
                    throw new IllegalArgumentException("doc " + hits[r].doc + " appears twice in list " + l);
                }
                ranks[cell] = r + 1;
                listScores[cell] = hits[r].score;
            }
        }
        double[] sums = new double[m];
        int[] bestRank = new int[m];
        for (int slot = 0; slot < m; slot++) {
            bestRank[slot] = Integer.MAX_VALUE;
            for (int l = 0; l < n; l++) {
                int rank = ranks[slot * n + l];
                if (rank != 0) {
                    sums[slot] += weights[l] / ((double) rankConstant + rank);
                    bestRank[slot] = Math.min(bestRank[slot], rank);
                }
            }
        }
        Integer[] order = new Integer[m];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(s -> -sums[s]).thenComparingInt(s -> bestRank[s]).thenComparingInt(s -> docs[s]));
        float[] scores = new float[m];
        float previous = Float.POSITIVE_INFINITY;
        int[] fusedOrder = new int[m];
        for (int i = 0; i < m; i++) {
            int slot = order[i];
            float score = (float) sums[slot];
            if (score >= previous) {
                // a tie in float: one ulp below the previous keeps the tie-break through score-sorted collection;
                // never below 0, where Lucene scores stop being valid (then doc id order decides)
                score = Math.max(0f, Math.nextDown(previous));
            }
            scores[slot] = score;
            previous = score;
            fusedOrder[i] = slot;
        }
        return new FusedRanking(n, docs, scores, sums, ranks, listScores, fusedOrder);
    }

    private static int[] union(TopDocs[] lists) {
        int total = 0;
        for (TopDocs list : lists) {
            total += list.scoreDocs.length;
        }
        int[] all = new int[total];
        int i = 0;
        for (TopDocs list : lists) {
            for (ScoreDoc hit : list.scoreDocs) {
                all[i++] = hit.doc;
            }
        }
        Arrays.sort(all);
        int distinct = 0;
        for (int j = 0; j < total; j++) {
            if (j == 0 || all[j] != all[j - 1]) {
                all[distinct++] = all[j];
            }
        }
        return Arrays.copyOf(all, distinct);
    }
}
