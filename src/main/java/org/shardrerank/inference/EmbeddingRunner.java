package org.shardrerank.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.io.Closeable;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session of a bi-encoder, shared by every thread: runs a batch of rows and pools each row's
 * token states ({@code last_hidden_state [batch, seq, dim]}) into one vector.
 */
final class EmbeddingRunner implements Closeable {
    static final String HIDDEN_STATE = "last_hidden_state";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean takesTypeIds;
    private final String output;
    private final int dimension;
    private final long padId;

    EmbeddingRunner(OrtEnvironment env, OrtSession session, int dimension, long padId) throws OrtException {
        this.env = env;
        this.session = session;
        this.padId = padId;
        Set<String> inputs = session.getInputNames();
        for (String input : inputs) {
            if (OnnxRunner.KNOWN_INPUTS.contains(input) == false) {
                throw new IllegalArgumentException("model input [" + input + "] is not one of " + OnnxRunner.KNOWN_INPUTS);
            }
        }
        if (inputs.contains(OnnxRunner.INPUT_IDS) == false || inputs.contains(OnnxRunner.ATTENTION_MASK) == false) {
            throw new IllegalArgumentException("model inputs " + inputs + " lack [input_ids] or [attention_mask]");
        }
        this.takesTypeIds = inputs.contains(OnnxRunner.TOKEN_TYPE_IDS);
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        this.output = outputs.containsKey(HIDDEN_STATE) ? HIDDEN_STATE : outputs.keySet().iterator().next();
        long[] shape = ((TensorInfo) outputs.get(output).getInfo()).getShape();
        if (shape.length != 3 || (shape[2] != dimension && shape[2] != -1)) {
            throw new IllegalArgumentException("model output [" + output + "] has shape " + Arrays.toString(shape)
                + " but a text embedding model needs token states [batch, seq, " + dimension + "]");
        }
        this.dimension = dimension;
    }

    /** Runs one batch; returns one pooled (not yet normalized) vector per row, in the batch's order. */
    float[][] run(List<Chunk> batch, VectorPooling pooling) throws OrtException {
        int rows = batch.size();
        int len = 0;
        for (Chunk c : batch) {
            len = Math.max(len, c.length());
        }
        long[] ids = new long[rows * len];
        long[] mask = new long[rows * len];
        long[] types = new long[rows * len];
        Arrays.fill(ids, padId);
        for (int r = 0; r < rows; r++) {
            Chunk c = batch.get(r);
            System.arraycopy(c.ids(), 0, ids, r * len, c.length());
            System.arraycopy(c.typeIds(), 0, types, r * len, c.length());
            Arrays.fill(mask, r * len, r * len + c.length(), 1L);
        }
        long[] shape = { rows, len };
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(OnnxRunner.INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put(OnnxRunner.ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (takesTypeIds) {
                inputs.put(OnnxRunner.TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
                FloatBuffer values = ((OnnxTensor) result.get(0)).getFloatBuffer();
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
            }
        } finally {
            for (OnnxTensor t : inputs.values()) {
                t.close();
            }
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("failed to close ONNX session", e);
        }
    }
}
