package org.shardrerank.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import org.shardrerank.util.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * RescorerBenchmark's two in-process paths, one query at a time on request, so that bench/rescorer_node.py can interleave
 * them with searches on a node and all three see the same moment's machine: {@code plugin QID} scores the query's
 * candidates through {@link CrossEncoder} (tokenize + plan + run + pool, max_chunks 1), {@code bare QID} runs only
 * {@code OrtSession.run} over the same length-sorted batches, tensors built beforehand. Each answers one line:
 * {@code nanos rows batches tokens padded_tokens}. Started with the arguments of RescorerBenchmark:
 *
 * <pre>MODEL_DIR BEIR_DIR RUN_FILE queries threads batch</pre>
 *
 * it first prints one JSON line: the query ids (run-file order) with their pair counts. {@code quit} ends it.
 */
public final class RescorerSidecar {
    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]);
        Path beir = Path.of(args[1]);
        Path run = Path.of(args[2]);
        int queries = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        int batch = Integer.parseInt(args[5]);

        Map<String, Object> d = Json.parseObject(Files.readString(modelDir.resolve("model.json")));
        int maxLength = Math.min((Integer) d.get("max_length"), 512);
        Path modelFile = modelDir.resolve((String) d.get("model_file"));
        Path tokenizerFile = modelDir.resolve((String) d.get("tokenizer_file"));
        OutputHead head = OutputHead.parse((String) d.getOrDefault("output", "logit"));
        OutputHead.Activation act = OutputHead.Activation.parse((String) d.getOrDefault("activation", "none"));

        Map<String, String[]> work = pairs(beir, run, queries);
        InferenceEnvironment env = new InferenceEnvironment(false, 0, 1);
        CrossEncoder encoder = CrossEncoder.load(env, modelFile, tokenizerFile, head, act, maxLength, 0);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ScoreOptions options = new ScoreOptions(maxLength, 64, 1, Pooling.MAX, batch, 1 << 16, TimeUnit.MINUTES.toNanos(10));

        PairTokenizer tokenizer = PairTokenizer.load(tokenizerFile);
        Map<String, List<List<Chunk>>> planned = new HashMap<>();
        for (Map.Entry<String, String[]> e : work.entrySet()) {
            String[] qd = e.getValue();
            long[] q = tokenizer.ids(qd[0]);
            List<Chunk> rows = new ArrayList<>();
            for (int i = 1; i < qd.length; i++) {
                rows.addAll(tokenizer.chunks(i - 1, q, tokenizer.ids(qd[i]), maxLength, 64, 1));
            }
            planned.put(e.getKey(), BatchPlanner.plan(rows, batch, 1 << 16));
        }

        OrtEnvironment ort = env.ort();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(1);
        so.setInterOpNumThreads(1);
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        OrtSession bare = ort.createSession(modelFile.toString(), so);
        boolean typeIds = bare.getInputNames().contains("token_type_ids");

        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        StringBuilder hello = new StringBuilder("{\"queries\": {");
        int n = 0;
        for (Map.Entry<String, String[]> e : work.entrySet()) {
            hello.append(n++ > 0 ? ", " : "").append('"').append(e.getKey()).append("\": ").append(e.getValue().length - 1);
        }
        hello.append("}, \"threads\": ").append(threads).append(", \"batch_size\": ").append(batch)
            .append(", \"max_length\": ").append(maxLength).append(", \"jvm\": \"").append(System.getProperty("java.version"))
            .append("\"}");
        out.println(hello);

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null;) {
            String[] cmd = line.trim().split("\\s+");
            if (cmd[0].equals("quit")) {
                break;
            }
            String[] qd = work.get(cmd[1]);
            if (qd == null) {
                out.println("error unknown query " + cmd[1]);
                continue;
            }
            if (cmd[0].equals("plugin")) {
                long t = System.nanoTime();
                CrossEncoder.Result r = encoder.score(qd[0], Arrays.asList(qd).subList(1, qd.length), options, TestRuns.on(pool),
                    MemoryBudget.UNLIMITED);
                long nanos = System.nanoTime() - t;
                out.println(nanos + " " + r.rows() + " " + r.batches() + " " + r.tokens() + " " + r.paddedTokens());
            } else if (cmd[0].equals("bare")) {
                List<List<Chunk>> batches = planned.get(cmd[1]);
                long rows = 0, tokens = 0, padded = 0;
                for (List<Chunk> b : batches) {
                    rows += b.size();
                    padded += BatchPlanner.paddedTokens(b);
                    for (Chunk c : b) {
                        tokens += c.length();
                    }
                }
                long nanos = RescorerBenchmark.runBare(ort, bare, typeIds, batches, pool);
                out.println(nanos + " " + rows + " " + batches.size() + " " + tokens + " " + padded);
            } else {
                out.println("error unknown command " + cmd[0]);
            }
        }
        pool.shutdown();
        encoder.close();
        tokenizer.close();
        bare.close();
    }


    /** As RescorerBenchmark: the first {@code n} queries of the run, query text then candidate texts in run order. */
    private static Map<String, String[]> pairs(Path beir, Path run, int n) throws IOException {
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
        Map<String, String[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : ranked.entrySet()) {
            List<String> row = new ArrayList<>();
            row.add(queries.get(e.getKey()));
            for (String id : e.getValue()) {
                if (texts.containsKey(id)) {
                    row.add(texts.get(id));
                }
            }
            out.put(e.getKey(), row.toArray(new String[0]));
        }
        return out;
    }

    private RescorerSidecar() {}

    static {
        Locale.setDefault(Locale.ROOT);
    }
}
