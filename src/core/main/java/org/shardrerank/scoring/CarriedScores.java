package org.shardrerank.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one shard's rescore decided, written into the set of rescored doc ids: the only per-shard state both engines
 * carry from the query phase to a later fetch phase (where explain runs, usually in another request). Explain then
 * reports the very numbers the query phase used, with no cache on the node and no second model run.
 * <p>
 * The set holds the window's doc ids (non-negative, as the engines expect) and, below them, negative words:
 * {@code -1} when the shard fell back to the first stage, and for the doc at position p of the ascending doc ids, words
 * {@code -2 - (p << 19 | slot << 16 | 16 bits)} holding its final score, model score, chunks and document tokens.
 */
public final class CarriedScores {
    /** Windows up to this size carry their numbers (12 bits of position). */
    public static final int MAX_WINDOW = 4000;
    private static final int FELL_BACK = -1;
    private static final int SLOTS = 6;

    private CarriedScores() {}

    /**
     * One rescored document.
     *
     * @param finalScore  its score in the hit list
     * @param model       the model's pooled score (after the activation)
     * @param chunks      windows the document was cut into
     * @param decisive    the chunk that decided, or -1 for mean pooling over several
     * @param docTokens   document tokens the model saw
     */
    public record Doc(float finalScore, float model, int chunks, int decisive, int docTokens) {}

    /** The doc ids alone (when nobody asked for an explanation), plus the numbers when {@code withNumbers}. */
    public static Set<Integer> encode(Map<Integer, Doc> docs, boolean withNumbers) {
        Set<Integer> out = new HashSet<>(docs.keySet());
        if (withNumbers == false) {
            return out;
        }
        if (docs.size() > MAX_WINDOW) {
            throw new IllegalArgumentException("cannot carry the numbers of more than " + MAX_WINDOW + " documents, got " + docs.size());
        }
        int p = 0;
        for (int doc : new TreeSet<>(docs.keySet())) {
            Doc d = docs.get(doc);
            int f = Float.floatToRawIntBits(d.finalScore());
            int m = Float.floatToRawIntBits(d.model());
            int[] words = { f >>> 16, f & 0xFFFF, m >>> 16, m & 0xFFFF,
                Math.min(d.chunks(), 255) << 8 | (d.decisive() + 1) & 0xFF, Math.min(d.docTokens(), 0xFFFF) };
            for (int slot = 0; slot < SLOTS; slot++) {
                out.add(-2 - (p << 19 | slot << 16 | words[slot]));
            }
            p++;
        }
        return out;
    }

    /** The marker of a shard that fell back to the first stage: no doc id, just the fact. */
    public static Set<Integer> fellBack() {
        return Set.of(FELL_BACK);
    }

    public static boolean fellBack(Set<Integer> carried) {
        return carried.contains(FELL_BACK);
    }

    /** The numbers per doc id; empty when the query phase carried none. */
    public static Map<Integer, Doc> decode(Set<Integer> carried) {
        List<Integer> docs = new ArrayList<>();
        int[][] words = null;
        for (int v : new TreeSet<>(carried)) {
            if (v >= 0) {
                docs.add(v);
            }
        }
        Map<Integer, Doc> out = new HashMap<>();
        for (int v : carried) {
            if (v < FELL_BACK) {
                if (words == null) {
                    words = new int[docs.size()][SLOTS];
                }
                int payload = -2 - v;
                words[payload >>> 19][payload >>> 16 & 7] = payload & 0xFFFF;
            }
        }
        if (words == null) {
            return out;
        }
        for (int p = 0; p < docs.size(); p++) {
            int[] w = words[p];
            out.put(docs.get(p), new Doc(Float.intBitsToFloat(w[0] << 16 | w[1]), Float.intBitsToFloat(w[2] << 16 | w[3]),
                w[4] >>> 8, (w[4] & 0xFF) - 1, w[5]));
        }
        return out;
    }
}
