package org.shardrerank.inference;

import org.shardrerank.util.WireEnums;


/** How the scores of a long document's chunks become the document's score. */
public enum Pooling {
    MAX,
    MEAN,
    FIRST;

    /** The pooled score of {@code scores}; {@code decisive[0]} receives the chunk that decided (-1 for mean). */
    public float pool(float[] scores, int[] decisive) {
        switch (this) {
            case FIRST:
                decisive[0] = 0;
                return scores[0];
            case MEAN: {
                double sum = 0;
                for (float s : scores) {
                    sum += s;
                }
                decisive[0] = scores.length == 1 ? 0 : -1;
                return (float) (sum / scores.length);
            }
            default: {
                int best = 0;
                for (int i = 1; i < scores.length; i++) {
                    if (scores[i] > scores[best]) {
                        best = i;
                    }
                }
                decisive[0] = best;
                return scores[best];
            }
        }
    }

    public static Pooling parse(String value) {
        return WireEnums.parse(Pooling.class, value, "pooling");
    }

    @Override
    public String toString() {
        return WireEnums.wireName(this);
    }
}
