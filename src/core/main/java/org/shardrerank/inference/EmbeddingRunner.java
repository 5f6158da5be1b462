package org.shardrerank.inference;

import ai.onnxruntime.OrtException;

import java.io.Closeable;
import java.util.Arrays;
import java.util.List;

/**
 * A bi-encoder's session: runs a batch of rows and pools each row's token states
 * ({@code last_hidden_state [batch, seq, dim]}) into one vector.
 */
final class EmbeddingRunner implements Closeable {
    static final String HIDDEN_STATE = "last_hidden_state";

    private final EncoderSession session;
    private final String output;
    private final int dimension;

    EmbeddingRunner(EncoderSession session, int dimension) throws OrtException {
        this.session = session;
        this.output = session.output(HIDDEN_STATE);
        long[] shape = session.outputShape(output);
        if (shape.length != 3 || (shape[2] != dimension && shape[2] != -1)) {
            throw new IllegalArgumentException("model output [" + output + "] has shape " + Arrays.toString(shape)
                + " but a text embedding model needs token states [batch, seq, " + dimension + "]");
        }
        this.dimension = dimension;
    }

    /** Runs one batch; returns one pooled (not yet normalized) vector per row, in the batch's order. */
    float[][] run(List<Chunk> batch, VectorPooling pooling) throws OrtException {
        return session.run(batch, output, (values, rows, len) -> {
            if (values.remaining() != rows * len * dimension) {
                throw new IllegalStateException("model returned " + values.remaining() + " values for " + rows + " rows of "
                    + len + " tokens x " + dimension);
            }
            float[] hidden = new float[values.remaining()];
            values.get(hidden);
            float[][] out = new float[rows][];
            for (int r = 0; r < rows; r++) {
                out[r] = pooling.pool(hidden, r, len, dimension, batch.get(r).length());
            }
            return out;
        });
    }

    @Override
    public void close() {
        session.close();
    }
}
