package org.shardrerank.spike;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Loads ONNX Runtime + DJL tokenizers at node start and scores (query, text) pairs with the overlap-logit model. */
final class NativeModel {
    static volatile NativeModel INSTANCE;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;

    private NativeModel(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer) {
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
    }

    /** Each step is independent so that one node start under a given policy shows every denial at once. */
    static void probe(Path configDir, java.util.concurrent.Executor esThread) {
        Path modelDir = configDir.resolve("shard-rerank/models/overlap-logit");
        Probe.step("a_setProperty_ai.djl.offline", () -> {
            System.setProperty("ai.djl.offline", "true");
            return "no exception; read back: " + System.getProperty("ai.djl.offline");
        });
        Probe.step("b_setProperty_DJL_CACHE_DIR", () -> {
            String dir = Path.of(System.getProperty("java.io.tmpdir"), "shard-rerank-djl").toString();
            System.setProperty("DJL_CACHE_DIR", dir);
            return "no exception; read back: " + System.getProperty("DJL_CACHE_DIR");
        });
        Probe.step("a2_setProperty_spike.random", () -> {
            System.setProperty("spike.random", "x");
            return "no exception; read back: " + System.getProperty("spike.random");
        });
        Probe.step("a3_setProperties_all", () -> {
            System.setProperties(System.getProperties());
            return "set";
        });
        Probe.step("c_read_model_json", () -> Files.readString(modelDir.resolve("model.json")).length() + " chars from " + modelDir);
        Probe.step("c2_list_config_dir", () -> {
            try (var s = Files.list(configDir.resolve("shard-rerank/models"))) {
                return s.map(p -> p.getFileName().toString()).toList().toString();
            }
        });
        Probe.step("c3_read_elasticsearch_yml", () -> Files.readString(configDir.resolve("elasticsearch.yml")).length() + " chars");
        Object[] ort = new Object[1];
        boolean started = esThread != null ? Probe.step("d_ort_init_on_es_executor_thread", () -> {
            java.util.concurrent.CompletableFuture<Object> f = new java.util.concurrent.CompletableFuture<>();
            esThread.execute(() -> {
                try {
                    f.complete(OrtEnvironment.getEnvironment());
                } catch (Throwable e) {
                    f.complete(e);
                }
            });
            ort[0] = f.get();
            return "ran";
        }) : Probe.step("d_thread_16MB_start", () -> {
            Thread t = new Thread(null, () -> {
                try {
                    ort[0] = OrtEnvironment.getEnvironment();
                } catch (Throwable e) {
                    ort[0] = e;
                }
            }, "shard-rerank-onnxruntime-init", 16L << 20);
            t.start();
            t.join();
            return "joined";
        });
        if (started) {
            Probe.step("e_ort_environment", () -> {
                if (ort[0] instanceof Throwable t) {
                    throw t;
                }
                return "version " + ((OrtEnvironment) ort[0]).getVersion() + ", tmp " + System.getProperty("java.io.tmpdir");
            });
        }
        HuggingFaceTokenizer[] tok = new HuggingFaceTokenizer[1];
        Probe.step("f_djl_tokenizer", () -> {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(NativeModel.class.getClassLoader());
            try {
                tok[0] = HuggingFaceTokenizer.newInstance(modelDir.resolve("tokenizer.json"), Map.of("padding", "false", "truncation", "true", "maxLength", "64"));
            } finally {
                thread.setContextClassLoader(previous);
            }
            return "loaded; DJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR") + " user.home=" + System.getProperty("user.home");
        });
        if (ort[0] instanceof OrtEnvironment env && tok[0] != null) {
            Probe.step("g_session_and_run", () -> {
                OrtSession s = env.createSession(modelDir.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
                NativeModel m = new NativeModel(env, s, tok[0]);
                float[] scores = m.score("do goldfish grow", List.of("goldfish grow slowly", "cats sleep"));
                INSTANCE = m;
                return "scores " + java.util.Arrays.toString(scores);
            });
        }
    }

    float[] score(String query, List<String> texts) throws Exception {
        int n = texts.size();
        Encoding[] enc = new Encoding[n];
        int len = 0;
        for (int i = 0; i < n; i++) {
            enc[i] = tokenizer.encode(query, texts.get(i));
            len = Math.max(len, enc[i].getIds().length);
        }
        long[][] ids = new long[n][len], mask = new long[n][len], types = new long[n][len];
        for (int i = 0; i < n; i++) {
            System.arraycopy(enc[i].getIds(), 0, ids[i], 0, enc[i].getIds().length);
            System.arraycopy(enc[i].getAttentionMask(), 0, mask[i], 0, enc[i].getAttentionMask().length);
            System.arraycopy(enc[i].getTypeIds(), 0, types[i], 0, enc[i].getTypeIds().length);
        }
        try (OnnxTensor a = OnnxTensor.createTensor(env, ids); OnnxTensor b = OnnxTensor.createTensor(env, mask);
             OnnxTensor c = OnnxTensor.createTensor(env, types);
             OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            float[][] out = (float[][]) r.get(0).getValue();
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                scores[i] = out[i][0];
            }
            return scores;
        }
    }
}
