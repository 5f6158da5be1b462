import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reference vectors for the embedding tests, computed outside the plugin: one sentence per model run (no
 * batching, no padding), the tokenizer used as HuggingFace does by default (its own special tokens), ONNX Runtime
 * called directly, pooling and normalization written out here. See run.sh.
 *
 * Usage: java -cp <onnxruntime, djl api + tokenizers, gson, jna, slf4j jars> EmbeddingReference.java MODELS_DIR OUT.json
 */
public class EmbeddingReference {
    static final List<String> SENTENCES = List.of(
        "how many people live in berlin?",
        "Berlin had a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.",
        "New York City is famous for the Metropolitan Museum of Art.",
        "Goldfish grow as large as their tank allows.",
        "Represent this sentence for searching relevant passages: do goldfish grow?");

    record Model(String name, String onnx, String tokenizer, boolean cls) {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<Model> models = List.of(
            new Model("all-minilm-l6-v2", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", false),
            new Model("bge-small-en-v1.5", "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", true));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        StringBuilder json = new StringBuilder("{\n  \"sentences\": [");
        for (int i = 0; i < SENTENCES.size(); i++) {
            json.append(i == 0 ? "" : ", ").append('"').append(SENTENCES.get(i)).append('"');
        }
        json.append("],\n  \"vectors\": {");
        for (int m = 0; m < models.size(); m++) {
            Model model = models.get(m);
            Path folder = dir.resolve(model.name());
            json.append(m == 0 ? "" : ",").append("\n    \"").append(model.name()).append("\": [");
            try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(folder.resolve(model.tokenizer()));
                 OrtSession session = env.createSession(folder.resolve(model.onnx()).toString(), new OrtSession.SessionOptions())) {
                for (int s = 0; s < SENTENCES.size(); s++) {
                    float[] v = embed(env, session, tok.encode(SENTENCES.get(s)), model.cls());
                    json.append(s == 0 ? "\n      [" : ",\n      [");
                    for (int d = 0; d < v.length; d++) {
                        json.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", v[d]));
                    }
                    json.append(']');
                }
            }
            json.append("\n    ]");
        }
        json.append("\n  }\n}\n");
        Files.writeString(Path.of(args[1]), json);
    }

    static float[] embed(OrtEnvironment env, OrtSession session, Encoding e, boolean cls) throws Exception {
        long[] shape = { 1, e.getIds().length };
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("input_ids", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(e.getIds()), shape));
        in.put("attention_mask", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(e.getAttentionMask()), shape));
        in.put("token_type_ids", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(e.getTypeIds()), shape));
        try (OrtSession.Result r = session.run(in)) {
            float[][][] hidden = (float[][][]) r.get("last_hidden_state").get().getValue();
            float[][] states = hidden[0];
            float[] v = new float[states[0].length];
            if (cls) {
                v = states[0].clone();
            } else {
                long[] mask = e.getAttentionMask();
                double count = 0;
                for (int t = 0; t < states.length; t++) {
                    if (mask[t] == 1) {
                        count++;
                        for (int d = 0; d < v.length; d++) {
                            v[d] += states[t][d];
                        }
                    }
                }
                for (int d = 0; d < v.length; d++) {
                    v[d] /= (float) Math.max(count, 1e-9);
                }
            }
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int d = 0; d < v.length; d++) {
                v[d] /= (float) norm;
            }
            return v;
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
