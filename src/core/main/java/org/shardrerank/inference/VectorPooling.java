package org.shardrerank.inference;

import org.shardrerank.util.WireEnums;


/** How a bi-encoder's token states ({@code last_hidden_state}) become one text vector. */
public enum VectorPooling {
    /** Average of the states of the real (unpadded) tokens, special tokens included: sentence-transformers' mean pooling. */
    MEAN,
    /** The state of the first token ([CLS]): BGE's pooling. */
    CLS;

    /**
     * Pools one row of a batch.
     *
     * @param hidden  the batch's states, row-major [rows, seqLength, dim]
     * @param row     which row
     * @param seqLength padded sequence length of the batch
     * @param dim     vector size
     * @param tokens  real tokens of the row (they come first; the rest is padding)
     */
    public float[] pool(float[] hidden, int row, int seqLength, int dim, int tokens) {
        if (tokens < 1 || tokens > seqLength) {
            throw new IllegalArgumentException("row has " + tokens + " tokens, sequence length is " + seqLength);
        }
        int base = row * seqLength * dim;
        float[] out = new float[dim];
        if (this == CLS) {
            System.arraycopy(hidden, base, out, 0, dim);
            return out;
        }
        double[] sum = new double[dim];
        for (int t = 0; t < tokens; t++) {
            int at = base + t * dim;
            for (int d = 0; d < dim; d++) {
                sum[d] += hidden[at + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            out[d] = (float) (sum[d] / tokens);
        }
        return out;
    }

    /** Scales {@code v} to unit L2 length in place (a zero vector stays zero). */
    public static float[] normalize(float[] v) {
        double sq = 0;
        for (float x : v) {
            sq += (double) x * x;
        }
        double norm = Math.max(Math.sqrt(sq), 1e-12);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / norm);
        }
        return v;
    }

    public static VectorPooling parse(String value) {
        return WireEnums.parse(VectorPooling.class, value, "pooling");
    }

    @Override
    public String toString() {
        return WireEnums.wireName(this);
    }
}
