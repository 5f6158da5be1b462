import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence embeddings with ONNX Runtime (the plugin's runtime) from a BERT-style encoder on pre-tokenized rows:
 * mean of the first output's token states over the real (unpadded) tokens, L2-normalized (the plugin's
 * text_embedding pooling "mean" + normalize, VectorPooling). Input: JSON lines {"ids": [...], "types": [...]}.
 * Rows are batched by length (padded with mask 0). Output: one line per row, in input order, space-separated.
 * Usage: java -cp <jars> OrtEmbed.java model.onnx rows.jsonl out.txt [batchSize] [threads]
 */
public class OrtEmbed {
    public static void main(String[] args) throws Exception {
        int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        List<long[]> ids = new ArrayList<>();
        List<long[]> types = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                ids.add(toLongs(o.getAsJsonArray("ids")));
                types.add(toLongs(o.getAsJsonArray("types")));
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) order.add(i);
        order.sort(Comparator.comparingInt(i -> ids.get(i).length));
        String[] results = new String[ids.size()];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long start = System.nanoTime();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(args[0], opts)) {
                for (int from = 0; from < order.size(); from += batchSize) {
                    List<Integer> batch = order.subList(from, Math.min(order.size(), from + batchSize));
                    int len = 0;
                    for (int i : batch) len = Math.max(len, ids.get(i).length);
                    long[][] inputIds = new long[batch.size()][len];
                    long[][] mask = new long[batch.size()][len];
                    long[][] tt = new long[batch.size()][len];
                    for (int r = 0; r < batch.size(); r++) {
                        long[] row = ids.get(batch.get(r));
                        System.arraycopy(row, 0, inputIds[r], 0, row.length);
                        System.arraycopy(types.get(batch.get(r)), 0, tt[r], 0, row.length);
                        for (int j = 0; j < row.length; j++) mask[r][j] = 1;
                    }
                    Map<String, OnnxTensor> inputs = new HashMap<>();
                    try (OnnxTensor a = OnnxTensor.createTensor(env, inputIds);
                         OnnxTensor b = OnnxTensor.createTensor(env, mask);
                         OnnxTensor c = OnnxTensor.createTensor(env, tt)) {
                        inputs.put("input_ids", a);
                        inputs.put("attention_mask", b);
                        inputs.put("token_type_ids", c);
                        try (OrtSession.Result result = session.run(inputs)) {
                            OnnxValue out = result.get(0);
                            Object value = out.getValue();
                            for (int r = 0; r < batch.size(); r++) {
                                results[batch.get(r)] = format(value, r, ids.get(batch.get(r)).length);
                            }
                        }
                    }
                }
            }
        }
        System.err.printf("OrtEmbed: %d rows in %.1f s%n", ids.size(), (System.nanoTime() - start) / 1e9);
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8))) {
            for (String s : results) out.println(s);
        }
    }

    private static String format(Object value, int row, int realLength) {
        StringBuilder sb = new StringBuilder();
        if (value instanceof float[][][] states) {
            double[] sum = new double[states[row][0].length];
            for (int t = 0; t < realLength; t++) {
                for (int k = 0; k < sum.length; k++) sum[k] += states[row][t][k];
            }
            double norm = 0;
            for (int k = 0; k < sum.length; k++) { sum[k] /= realLength; norm += sum[k] * sum[k]; }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (double v : sum) sb.append(sb.length() == 0 ? "" : " ").append((float) (v / norm));
            return sb.toString();
        }
        if (value instanceof float[][] v) {            // [batch, 1] logits
            for (float f : v[row]) sb.append(sb.length() == 0 ? "" : " ").append(f);
        } else if (value instanceof float[][][] v) {   // [batch, seq, hidden] states
            for (int t = 0; t < realLength; t++) {
                for (float f : v[row][t]) sb.append(sb.length() == 0 ? "" : " ").append(f);
            }
        } else {
            throw new IllegalStateException("unexpected output " + value.getClass());
        }
        return sb.toString();
    }

    private static long[] toLongs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
        return out;
    }
}
