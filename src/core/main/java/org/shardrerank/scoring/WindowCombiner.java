package org.shardrerank.scoring;

import org.apache.lucene.search.ScoreDoc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a shard's hits and the final scores of its window into the shard's new hit list: the window sorted by final
 * score (ties by first-stage rank, which every replica shares), {@code min_score} applied, then the hits outside the
 * window with their {@link FinalScores#notReranked} scores, in their first-stage order. Pure: no I/O, no model.
 */
public final class WindowCombiner {
    private WindowCombiner() {}

    /**
     * @param hits    the shard's hits, sorted by first-stage score
     * @param scores  the final score of hit i, for i below {@code scores.length} (the window)
     */
    public static ScoreDoc[] rescored(ScoreDoc[] hits, float[] scores, Float minScore) {
        int window = scores.length;
        Integer[] order = new Integer[window];
        for (int i = 0; i < window; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i));
        List<ScoreDoc> out = new ArrayList<>(hits.length);
        for (int i : order) {
            if (minScore == null || scores[i] >= minScore) {
                out.add(new ScoreDoc(hits[i].doc, scores[i], hits[i].shardIndex));
            }
        }
        if (out.isEmpty() && window == hits.length) {
            // the rescore phase cannot return an empty list: keep the best hit even though it is below min_score
            out.add(new ScoreDoc(hits[order[0]].doc, scores[order[0]], hits[order[0]].shardIndex));
        }
        for (int i = window; i < hits.length; i++) {
            out.add(notReranked(hits[i]));
        }
        return out.toArray(new ScoreDoc[0]);
    }

    /** Every hit in its first-stage order with its {@link FinalScores#notReranked} score: a shard that fell back. */
    public static ScoreDoc[] notReranked(ScoreDoc[] hits) {
        ScoreDoc[] out = new ScoreDoc[hits.length];
        for (int i = 0; i < hits.length; i++) {
            out[i] = notReranked(hits[i]);
        }
        return out;
    }

    private static ScoreDoc notReranked(ScoreDoc hit) {
        return new ScoreDoc(hit.doc, FinalScores.notReranked(hit.score), hit.shardIndex);
    }
}
