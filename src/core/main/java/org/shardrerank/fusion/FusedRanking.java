package org.shardrerank.fusion;

import org.apache.lucene.search.ScoreDoc;

import java.util.Arrays;

/**
 * The result of one fusion, kept in doc-id order so each segment is served from a contiguous range, with what
 * explain needs about every document: its exact RRF sum, and its rank and score in each list.
 * A document is addressed by its slot, its position in doc-id order.
 */
public final class FusedRanking {
    private final int lists;
    private final int[] docs;
    private final float[] scores;
    private final double[] sums;
    private final int[] ranks;
    private final float[] listScores;
    private final int[] fusedOrder;

    FusedRanking(int lists, int[] docs, float[] scores, double[] sums, int[] ranks, float[] listScores, int[] fusedOrder) {
        this.lists = lists;
        this.docs = docs;
        this.scores = scores;
        this.sums = sums;
        this.ranks = ranks;
        this.listScores = listScores;
        this.fusedOrder = fusedOrder;
    }

    /** Number of distinct documents over all lists. */
    public int size() {
        return docs.length;
    }

    /** Every document, best first, with the score it is served with. */
    public ScoreDoc[] ranked() {
        ScoreDoc[] ranked = new ScoreDoc[docs.length];
        for (int i = 0; i < ranked.length; i++) {
            int slot = fusedOrder[i];
            ranked[i] = new ScoreDoc(docs[slot], scores[slot]);
        }
        return ranked;
    }

    /** The slot of {@code doc}, or a negative number when no list has it. */
    public int slot(int doc) {
        return Arrays.binarySearch(docs, doc);
    }

    /** The first slot whose doc id is at least {@code doc} ({@link #size()} when none). */
    public int firstSlotFrom(int doc) {
        int slot = Arrays.binarySearch(docs, doc);
        return slot >= 0 ? slot : -slot - 1;
    }

    public int doc(int slot) {
        return docs[slot];
    }

    /** The served score: the RRF sum as a float, lowered by a few ulps where it ties with a better document. */
    public float score(int slot) {
        return scores[slot];
    }

    /** The exact weighted RRF sum. */
    public double sum(int slot) {
        return sums[slot];
    }

    /** The document's rank in {@code list}, from 1, or 0 when the list does not have it. */
    public int rank(int slot, int list) {
        return ranks[slot * lists + list];
    }

    /** The document's score in {@code list}; meaningful only when {@link #rank} is not 0. */
    public float listScore(int slot, int list) {
        return listScores[slot * lists + list];
    }
}
