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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One ONNX Runtime session of a cross-encoder, shared by every thread (OrtSession.run is thread-safe). */
final class OnnxRunner implements Closeable {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean takesTypeIds;
    private final String output;
    private final int width;
    private final long padId;

    OnnxRunner(OrtEnvironment env, OrtSession session, OutputHead head, long padId) throws OrtException {
        this.env = env;
        this.session = session;
        this.padId = padId;
        Set<String> inputs = session.getInputNames();
        for (String input : inputs) {
            if (KNOWN_INPUTS.contains(input) == false) {
                throw new IllegalArgumentException("model input [" + input + "] is not one of " + KNOWN_INPUTS);
            }
        }
        if (inputs.contains(INPUT_IDS) == false || inputs.contains(ATTENTION_MASK) == false) {
            throw new IllegalArgumentException("model inputs " + inputs + " lack [input_ids] or [attention_mask]");
        }
        this.takesTypeIds = inputs.contains(TOKEN_TYPE_IDS);
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        this.output = outputs.containsKey("logits") ? "logits" : outputs.keySet().iterator().next();
        long[] shape = ((TensorInfo) outputs.get(output).getInfo()).getShape();
        long last = shape[shape.length - 1];
        int expected = head.width();
        boolean vector = shape.length == 1 && expected == 1;
        if (vector == false && (shape.length != 2 || (last != expected && last != -1))) {
            throw new IllegalArgumentException("model output [" + output + "] has shape " + java.util.Arrays.toString(shape)
                + " but output [" + head + "] needs [batch, " + expected + "]");
        }
        this.width = expected;
    }

    /** Runs one batch; returns one output row per chunk, in the batch's order. */
    float[][] run(List<Chunk> batch) throws OrtException {
        int rows = batch.size();
        int len = 0;
        for (Chunk c : batch) {
            len = Math.max(len, c.length());
        }
        long[] ids = new long[rows * len];
        long[] mask = new long[rows * len];
        long[] types = new long[rows * len];
        java.util.Arrays.fill(ids, padId);
        for (int r = 0; r < rows; r++) {
            Chunk c = batch.get(r);
            System.arraycopy(c.ids(), 0, ids, r * len, c.length());
            System.arraycopy(c.typeIds(), 0, types, r * len, c.length());
            java.util.Arrays.fill(mask, r * len, r * len + c.length(), 1L);
        }
        long[] shape = { rows, len };
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (takesTypeIds) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
                FloatBuffer values = ((OnnxTensor) result.get(0)).getFloatBuffer();
                if (values.remaining() != rows * width) {
                    throw new IllegalStateException("model returned " + values.remaining() + " values for " + rows + " rows of width " + width);
                }
                float[][] out = new float[rows][width];
                for (int r = 0; r < rows; r++) {
                    values.get(out[r]);
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
