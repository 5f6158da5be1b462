package org.shardrerank.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import org.shardrerank.util.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The rescorer's own cost, measured against bare ONNX Runtime on the same pre-tokenized batches in the same
 * process: plugin = tokenize + window + batch + run + pool through {@link CrossEncoder}; bare = only
 * {@code OrtSession.run} over tensors built beforehand, with the same batches and the same parallelism.
 * Also: the same pairs without length bucketing (batches in first-stage order), and the node-like RSS.
 *
 * <pre>bench/rescorer-benchmark.sh MODEL_DIR BEIR_DIR RUN_FILE [queries] [threads] [batch]</pre>
 */
public final class RescorerBenchmark {
    /** Measures inference alone: no memory accounting. */
    private static final MemoryBudget NO_LIMIT = MemoryBudget.UNLIMITED;

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]);
        Path beir = Path.of(args[1]);
        Path run = Path.of(args[2]);
        int queries = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 8;

        Map<String, Object> d = json(modelDir.resolve("model.json"));
        int maxLength = Math.min((Integer) d.get("max_length"), 512);
        Map<?, ?> sha = (Map<?, ?>) d.get("sha256");
        Path modelFile = modelDir.resolve((String) d.get("model_file"));
        Path tokenizerFile = modelDir.resolve((String) d.get("tokenizer_file"));
        OutputHead head = OutputHead.parse((String) d.getOrDefault("output", "logit"));
        OutputHead.Activation act = OutputHead.Activation.parse((String) d.getOrDefault("activation", "none"));

        List<String[]> work = pairs(beir, run, queries);
        long rssStart = rssKb();
        InferenceEnvironment env = new InferenceEnvironment(false, 0, 1);
        CrossEncoder encoder = CrossEncoder.load(env, modelFile, tokenizerFile, head, act, maxLength, 0);
        long rssLoaded = rssKb();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ScoreOptions options = new ScoreOptions(maxLength, 64, 1, Pooling.MAX, batch, 1 << 16, TimeUnit.MINUTES.toNanos(10));

        // the same rows the plugin scores: one window per document (max_chunks 1) so both sides see identical input
        PairTokenizer tokenizer = PairTokenizer.load(tokenizerFile);
        List<List<Chunk>> perQuery = new ArrayList<>();
        int totalPairs = 0;
        for (String[] qd : work) {
            long[] q = tokenizer.ids(qd[0]);
            List<Chunk> rows = new ArrayList<>();
            for (int i = 1; i < qd.length; i++) {
                rows.addAll(tokenizer.chunks(i - 1, q, tokenizer.ids(qd[i]), maxLength, 64, 1));
            }
            perQuery.add(rows);
            totalPairs += qd.length - 1;
        }

        OrtEnvironment ort = env.ort();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(1);
        so.setInterOpNumThreads(1);
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        OrtSession bare = ort.createSession(modelFile.toString(), so);
        boolean typeIds = bare.getInputNames().contains("token_type_ids");

        // warm up both paths
        for (int i = 0; i < Math.min(3, work.size()); i++) {
            encoder.score(work.get(i)[0], docs(work.get(i)), options, TestRuns.on(pool), NO_LIMIT);
            runBare(ort, bare, typeIds, BatchPlanner.plan(perQuery.get(i), batch, 1 << 16), pool);
        }

        long pluginNanos = 0, bareNanos = 0, unbucketedNanos = 0, padded = 0, paddedUnbucketed = 0, tokens = 0;
        long rssPeak = 0;
        for (int i = 0; i < work.size(); i++) {
            long t = System.nanoTime();
            CrossEncoder.Result r = encoder.score(work.get(i)[0], docs(work.get(i)), options, TestRuns.on(pool), NO_LIMIT);
            pluginNanos += System.nanoTime() - t;
            padded += r.paddedTokens();
            tokens += r.tokens();

            List<List<Chunk>> sorted = BatchPlanner.plan(perQuery.get(i), batch, 1 << 16);
            bareNanos += runBare(ort, bare, typeIds, sorted, pool);

            List<List<Chunk>> inOrder = inOrder(perQuery.get(i), batch);
            for (List<Chunk> b : inOrder) {
                paddedUnbucketed += BatchPlanner.paddedTokens(b);
            }
            unbucketedNanos += runBare(ort, bare, typeIds, inOrder, pool);
            rssPeak = Math.max(rssPeak, rssKb());
        }
        pool.shutdown();

        double per100 = 100.0 / totalPairs;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", d.get("name"));
        out.put("model_file", modelFile.getFileName().toString());
        out.put("model_sha256", sha.get(d.get("model_file")));
        out.put("queries", work.size());
        out.put("pairs", totalPairs);
        out.put("threads", threads);
        out.put("batch_size", batch);
        out.put("max_length", maxLength);
        out.put("plugin_ms_per_100_pairs", round(pluginNanos / 1e6 * per100));
        out.put("bare_ort_ms_per_100_pairs", round(bareNanos / 1e6 * per100));
        out.put("plugin_overhead_ratio", round((double) pluginNanos / bareNanos));
        out.put("plugin_pairs_per_second", round(totalPairs / (pluginNanos / 1e9)));
        out.put("bare_ort_unbucketed_ms_per_100_pairs", round(unbucketedNanos / 1e6 * per100));
        out.put("bucketing_speedup", round((double) unbucketedNanos / bareNanos));
        out.put("padding_overhead_bucketed", round((double) padded / tokens));
        out.put("padding_overhead_unbucketed", round((double) paddedUnbucketed / tokens));
        out.put("rss_mb_start", rssStart / 1024);
        out.put("rss_mb_after_load", rssLoaded / 1024);
        out.put("rss_mb_peak", rssPeak / 1024);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("jvm", System.getProperty("java.version"));
        out.put("cpu", cpu());
        StringBuilder sb = new StringBuilder("{\n");
        int n = 0;
        for (Map.Entry<String, Object> e : out.entrySet()) {
            Object v = e.getValue();
            sb.append("  \"").append(e.getKey()).append("\": ").append(v instanceof String ? "\"" + v + "\"" : v);
            sb.append(++n < out.size() ? ",\n" : "\n");
        }
        System.out.println(sb.append("}"));
        encoder.close();
        tokenizer.close();
        bare.close();
    }

    /** Bare ONNX Runtime: the batches' tensors built first, then only the runs are timed, on {@code pool}. */
    static long runBare(OrtEnvironment ort, OrtSession session, boolean typeIds, List<List<Chunk>> batches,
                                ExecutorService pool) throws Exception {
        List<Map<String, OnnxTensor>> inputs = new ArrayList<>();
        for (List<Chunk> b : batches) {
            inputs.add(tensors(ort, b, typeIds));
        }
        long t = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (Map<String, OnnxTensor> in : inputs) {
            futures.add(pool.submit(() -> {
                try (OrtSession.Result r = session.run(in)) {
                    return r.size();
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        long nanos = System.nanoTime() - t;
        for (Map<String, OnnxTensor> in : inputs) {
            in.values().forEach(OnnxTensor::close);
        }
        return nanos;
    }

    private static Map<String, OnnxTensor> tensors(OrtEnvironment ort, List<Chunk> batch, boolean typeIds) throws Exception {
        int len = 0;
        for (Chunk c : batch) {
            len = Math.max(len, c.length());
        }
        long[] ids = new long[batch.size() * len], mask = new long[ids.length], types = new long[ids.length];
        for (int r = 0; r < batch.size(); r++) {
            Chunk c = batch.get(r);
            System.arraycopy(c.ids(), 0, ids, r * len, c.length());
            System.arraycopy(c.typeIds(), 0, types, r * len, c.length());
            java.util.Arrays.fill(mask, r * len, r * len + c.length(), 1L);
        }
        long[] shape = { batch.size(), len };
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("input_ids", OnnxTensor.createTensor(ort, LongBuffer.wrap(ids), shape));
        in.put("attention_mask", OnnxTensor.createTensor(ort, LongBuffer.wrap(mask), shape));
        if (typeIds) {
            in.put("token_type_ids", OnnxTensor.createTensor(ort, LongBuffer.wrap(types), shape));
        }
        return in;
    }

    private static List<List<Chunk>> inOrder(List<Chunk> rows, int batch) {
        List<List<Chunk>> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += batch) {
            out.add(rows.subList(i, Math.min(rows.size(), i + batch)));
        }
        return out;
    }

    private static List<String> docs(String[] qd) {
        return List.of(qd).subList(1, qd.length);
    }

    /** For the first {@code n} queries of the run: the query text followed by its candidates' texts in rank order. */
    private static List<String[]> pairs(Path beir, Path run, int n) throws IOException {
        Map<String, String> queries = new HashMap<>();
        for (String line : Files.readAllLines(beir.resolve("queries.jsonl"))) {
            Map<String, Object> q = Json.parseObject(line);
            queries.put(String.valueOf(q.get("_id")), (String) q.get("text"));
        }
        Map<String, List<String>> ranked = new LinkedHashMap<>();
        for (String line : Files.readAllLines(run)) {
            String[] p = line.trim().split("\\s+");
            if (ranked.size() < n || ranked.containsKey(p[0])) {
                ranked.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[2]);
            }
        }
        Map<String, String> texts = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(beir.resolve("corpus.jsonl"))) {
            for (String line; (line = r.readLine()) != null;) {
                Map<String, Object> doc = Json.parseObject(line);
                String title = (String) doc.getOrDefault("title", "");
                texts.put(String.valueOf(doc.get("_id")), (title.isEmpty() ? "" : title + "\n") + doc.get("text"));
            }
        }
        List<String[]> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : ranked.entrySet()) {
            List<String> row = new ArrayList<>();
            row.add(queries.get(e.getKey()));
            for (String id : e.getValue()) {
                if (texts.containsKey(id)) {
                    row.add(texts.get(id));
                }
            }
            out.add(row.toArray(new String[0]));
        }
        return out;
    }

    private static Map<String, Object> json(Path file) throws IOException {
        return Json.parseObject(Files.readString(file));
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return 0;
    }

    private static String cpu() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private RescorerBenchmark() {}

    static {
        Locale.setDefault(Locale.ROOT);
    }
}
