package org.shardrerank.inference;

import java.util.Locale;

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

    public static OutputHead parse(String value) {
        for (OutputHead head : values()) {
            if (head.toString().equals(value)) {
                return head;
            }
        }
        throw new IllegalArgumentException("unknown output [" + value + "], expected one of [logit, binary_softmax]");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Applied to a single logit. */
    public enum Activation {
        NONE,
        SIGMOID;

        float apply(float x) {
            return this == SIGMOID ? (float) (1.0 / (1.0 + Math.exp(-x))) : x;
        }

        public static Activation parse(String value) {
            for (Activation a : values()) {
                if (a.toString().equals(value)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown activation [" + value + "], expected one of [none, sigmoid]");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
