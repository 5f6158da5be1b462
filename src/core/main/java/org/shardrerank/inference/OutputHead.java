package org.shardrerank.inference;

import org.shardrerank.util.WireEnums;


/** How a cross-encoder's output row becomes one relevance score. */
public enum OutputHead {
    /** Output [b,1]: a logit, optionally squashed by a sigmoid. */
    LOGIT(1),
    /** Output [b,2]: two-class logits; the score is the softmax probability of the positive class (index 1). */
    BINARY_SOFTMAX(2);

    private final int width;

    OutputHead(int width) {
        this.width = width;
    }

    public int width() {
        return width;
    }

    public float score(float[] row, Activation activation) {
        if (row.length != width) {
            throw new IllegalStateException("model output row has " + row.length + " values, head [" + this + "] expects " + width);
        }
        if (this == BINARY_SOFTMAX) {
            return (float) (1.0 / (1.0 + Math.exp((double) row[0] - row[1])));
        }
        return activation.apply(row[0]);
    }

    /** A human-readable name of what {@link #score} did, for explain. */
    public String describe(Activation activation) {
        return this == BINARY_SOFTMAX ? "softmax(logits)[1]" : activation == Activation.NONE ? "identity(logit)" : "sigmoid(logit)";
    }

    /**
     * A score of this head as a probability of relevance, for mixing with other evidence: a softmax or sigmoid score as
     * it is, a bare logit through a sigmoid.
     */
    public float probability(float score, Activation activation) {
        return this == LOGIT && activation == Activation.NONE ? Activation.SIGMOID.apply(score) : score;
    }

    public static OutputHead parse(String value) {
        return WireEnums.parse(OutputHead.class, value, "output");
    }

    @Override
    public String toString() {
        return WireEnums.wireName(this);
    }

    /** Applied to a single logit. */
    public enum Activation {
        NONE,
        SIGMOID;

        float apply(float x) {
            return this == SIGMOID ? (float) (1.0 / (1.0 + Math.exp(-x))) : x;
        }

        public static Activation parse(String value) {
            return WireEnums.parse(Activation.class, value, "activation");
        }

        @Override
        public String toString() {
            return WireEnums.wireName(this);
        }
    }
}
