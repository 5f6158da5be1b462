package org.shardrerank.inference;

import ai.onnxruntime.OrtException;

import java.io.Closeable;
import java.util.Arrays;
import java.util.List;

/** A cross-encoder's session: one output row (1 or 2 logits) per (query, document) row. */
final class OnnxRunner implements Closeable {
    private final EncoderSession session;
    private final String output;
    private final int width;

    OnnxRunner(EncoderSession session, OutputHead head) throws OrtException {
        this.session = session;
        this.output = session.output("logits");
        long[] shape = session.outputShape(output);
        int expected = head.width();
        boolean vector = shape.length == 1 && expected == 1;
        if (vector == false && (shape.length != 2 || (shape[1] != expected && shape[1] != -1))) {
            throw new IllegalArgumentException("model output [" + output + "] has shape " + Arrays.toString(shape)
                + " but output [" + head + "] needs [batch, " + expected + "]");
        }
        this.width = expected;
    }

    /** Runs one batch; returns one output row per chunk, in the batch's order. */
    float[][] run(List<Chunk> batch) throws OrtException {
        return session.run(batch, output, (values, rows, len) -> {
            if (values.remaining() != rows * width) {
                throw new IllegalStateException("model returned " + values.remaining() + " values for " + rows + " rows of width " + width);
            }
            float[][] out = new float[rows][width];
            for (int r = 0; r < rows; r++) {
                values.get(out[r]);
            }
            return out;
        });
    }

    @Override
    public void close() {
        session.close();
    }
}
