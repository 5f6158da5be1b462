package org.shardrerank.rescore;

import org.apache.lucene.search.ScoreDoc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Turns the model's scores of a shard's window into the shard's new hit list: final scores per score mode,
 * {@code min_score}, the order (score desc, then first-stage rank, which is deterministic across replicas),
 * and the hits outside the window shifted below the window, keeping their order and gaps (as Vespa does
 * for hits not re-ranked). Pure: no I/O, no model.
 */
final class WindowCombiner {
    private WindowCombiner() {}

    /**
     * @param hits          the shard's hits, sorted by first-stage score
     * @param window        how many of them the model scored
     * @param model         the model's score of hit i, for i below window
     */
    static Outcome combine(ScoreDoc[] hits, int window, float[] model, ScoreMode mode, float firstWeight, float rerankWeight, Float minScore) {
        MinMax first = MinMax.of(hits, window);
        MinMax rerank = MinMax.of(model);
        float[] scores = new float[window];
        for (int i = 0; i < window; i++) {
            scores[i] = mode == ScoreMode.REPLACE
                ? model[i]
                : firstWeight * first.normalize(hits[i].score) + rerankWeight * rerank.normalize(model[i]);
        }
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
        int kept = out.size();
        if (kept == 0 && window == hits.length) {
            // the rescore phase cannot return an empty list: keep the best hit even though it is below min_score
            int best = order[0];
            out.add(new ScoreDoc(hits[best].doc, scores[best], hits[best].shardIndex));
            kept = 1;
        }
        double shift = 0;
        if (window < hits.length && kept > 0) {
            float lowest = out.get(kept - 1).score;
            shift = (double) hits[window].score - lowest + 1;
            for (int i = window; i < hits.length; i++) {
                float shifted = (float) (hits[i].score - shift);
                out.add(new ScoreDoc(hits[i].doc, Math.min(shifted, Math.nextDown(lowest)), hits[i].shardIndex));
            }
        } else {
            for (int i = window; i < hits.length; i++) {
                out.add(new ScoreDoc(hits[i].doc, hits[i].score, hits[i].shardIndex));
            }
        }
        return new Outcome(out.toArray(new ScoreDoc[0]), scores, first, rerank, shift);
    }

    /**
     * @param hits    the new hit list, sorted by score
     * @param scores  final score of window hit i (first-stage order), kept or not
     * @param shift   subtracted from the first-stage score of hits outside the window
     */
    record Outcome(ScoreDoc[] hits, float[] scores, MinMax first, MinMax rerank, double shift) {}

    /** Min-max normalization over a window; a window of equal scores normalizes to 1. */
    record MinMax(float min, float max) {
        static MinMax of(ScoreDoc[] hits, int n) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                lo = Math.min(lo, hits[i].score);
                hi = Math.max(hi, hits[i].score);
            }
            return new MinMax(lo, hi);
        }

        static MinMax of(float[] values) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (float v : values) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            return new MinMax(lo, hi);
        }

        float normalize(float x) {
            return max > min ? (x - min) / (max - min) : 1f;
        }
    }
}
