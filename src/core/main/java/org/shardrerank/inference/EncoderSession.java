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
 * An ONNX Runtime session of a BERT-style encoder (cross-encoder or bi-encoder), shared by every thread
 * ({@code OrtSession.run} is thread-safe): pads a batch of rows into {@code input_ids} / {@code attention_mask} /
 * {@code token_type_ids} tensors, runs it, and hands the float output to the caller.
 */
final class EncoderSession implements Closeable {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    private static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean takesTypeIds;
    private final long padId;

    EncoderSession(OrtEnvironment env, OrtSession session, long padId) throws OrtException {
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
    }

    /** The output named {@code preferred}, else the first one. */
    String output(String preferred) throws OrtException {
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        return outputs.containsKey(preferred) ? preferred : outputs.keySet().iterator().next();
    }

    long[] outputShape(String output) throws OrtException {
        return ((TensorInfo) session.getOutputInfo().get(output).getInfo()).getShape();
    }

    /** Runs one batch padded to its longest row and lets {@code reader} decode {@code output} before the tensors are freed. */
    <R> R run(List<Chunk> batch, String output, OutputReader<R> reader) throws OrtException {
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
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (takesTypeIds) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(output))) {
                return reader.read(((OnnxTensor) result.get(0)).getFloatBuffer(), rows, len);
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

    /** Decodes a batch's output while its tensor is alive. */
    interface OutputReader<R> {
        R read(FloatBuffer values, int rows, int paddedLength);
    }
}
