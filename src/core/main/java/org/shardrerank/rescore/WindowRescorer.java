package org.shardrerank.rescore;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.RamUsageEstimator;
import org.shardrerank.inference.CrossEncoder;
import org.shardrerank.inference.InferenceCancelledException;
import org.shardrerank.inference.InferenceTimeoutException;
import org.shardrerank.inference.MemoryCharge;
import org.shardrerank.inference.MemoryLimitException;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.scoring.CarriedScores;
import org.shardrerank.scoring.FinalScores;
import org.shardrerank.scoring.WindowCombiner;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.stats.StatName;
import org.shardrerank.util.StatusException;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Rescores a shard's window with a cross-encoder: read the texts in doc-id order, score them in length-sorted batches,
 * turn the model's scores into merge-safe final scores ({@link FinalScores}), sort with a deterministic tie-break, and
 * say what to carry to the fetch phase for explain ({@link CarriedScores}). Engine-free: the adapters read the texts
 * ({@link TextSource}) and turn the exceptions into their engine's.
 */
public final class WindowRescorer {
    private static final Logger logger = LogManager.getLogger(WindowRescorer.class);

    /** A document's text for the model (top-level doc ids, asked in ascending order for locality). */
    @FunctionalInterface
    public interface TextSource {
        String text(int doc);
    }

    /**
     * The shard's hits after rescoring and the ints to carry to the fetch phase (the engine's "rescored docs").
     *
     * @param fellBack the model timed out and [on_timeout] kept the first-stage order (below every reranked hit)
     */
    public record Outcome(ScoreDoc[] hits, Set<Integer> carried, boolean fellBack) {}

    private WindowRescorer() {}

    /**
     * @throws InferenceCancelledException the search was cancelled
     * @throws RejectedExecutionException  the inference queue is full
     * @throws MemoryLimitException        the window or a model run would exceed the memory budget
     * @throws StatusException             the model timed out with [on_timeout] fail (504), or returned NaN (500)
     */
    public static Outcome rescore(ScoreDoc[] hits, RescorePlan plan, RescorePlanner node, TextSource source, BooleanSupplier cancelled,
                                  boolean explain) {
        CrossEncoderRequest request = plan.request();
        RerankStats stats = node.stats();
        String model = request.model();
        stats.increment(model, StatName.RESCORE_REQUESTS);
        int window = Math.min(plan.windowSize(), hits.length);

        // read texts in doc-id order (stored fields are read sequentially), remember each hit's position
        Integer[] byDoc = new Integer[window];
        for (int i = 0; i < window; i++) {
            byDoc[i] = i;
        }
        Arrays.sort(byDoc, (a, b) -> Integer.compare(hits[a].doc, hits[b].doc));

        CrossEncoder.Result result;
        float[] probabilities = new float[window];
        try (MemoryCharge textMemory = new MemoryCharge(node.budget()); ModelRegistry.Lease lease = node.encoder(plan)) {
            String[] texts = new String[window];
            for (int i = 0; i < window; i++) {
                texts[i] = source.text(hits[byDoc[i]].doc);
                textMemory.add(RamUsageEstimator.sizeOf(texts[i]), "cross_encoder window texts");
            }
            CrossEncoder encoder = lease.model().encoder();
            result = encoder.score(request.queryText(), Arrays.asList(texts), plan.options(), node.scheduler().forSearch(cancelled),
                node.budget());
            for (int i = 0; i < window; i++) {
                probabilities[i] = encoder.probability(result.scores().get(i).score());
            }
        } catch (InferenceTimeoutException e) {
            stats.increment(model, StatName.RESCORE_TIMEOUTS);
            if (request.onTimeout() == OnTimeout.FAIL) {
                stats.increment(model, StatName.RESCORE_FAILURES);
                throw new StatusException("[cross_encoder] " + e.getMessage() + " and [on_timeout] is [fail]",
                    StatusException.Status.GATEWAY_TIMEOUT);
            }
            stats.increment(model, StatName.RESCORE_FALLBACKS);
            logger.debug("cross_encoder timed out on a shard, keeping the first-stage order: {}", e.getMessage());
            return new Outcome(WindowCombiner.notReranked(hits), CarriedScores.fellBack(), true);
        } catch (InferenceCancelledException e) {
            stats.increment(model, StatName.RESCORE_CANCELLATIONS);
            throw e;
        } catch (RejectedExecutionException e) {
            stats.increment(model, StatName.RESCORE_REJECTIONS);
            throw e;
        } catch (MemoryLimitException e) {
            // like a full queue, the node sheds load: 429 whatever [on_timeout] says, which is about slowness only
            stats.increment(model, StatName.RESCORE_BREAKER_TRIPS);
            throw e;
        } catch (RuntimeException e) {
            stats.increment(model, StatName.RESCORE_FAILURES);
            throw e;
        }
        record(stats, model, result);

        float[] finals = new float[window];
        Map<Integer, CarriedScores.Doc> carried = new HashMap<>(window * 2);
        for (int i = 0; i < window; i++) {
            var s = result.scores().get(i);
            if (Float.isNaN(s.score())) {
                stats.increment(model, StatName.RESCORE_FAILURES);
                throw new StatusException("[cross_encoder] model [" + model + "] returned NaN", StatusException.Status.INTERNAL_SERVER_ERROR);
            }
            int hit = byDoc[i];
            finals[hit] = request.scoreMode() == ScoreMode.REPLACE
                ? FinalScores.replace(s.score())
                : FinalScores.combine(hits[hit].score, probabilities[i], request.firstStageWeightOrDefault(),
                    request.rerankWeightOrDefault(), request.firstStageScaleOrNaN());
            carried.put(hits[hit].doc, new CarriedScores.Doc(finals[hit], s.score(), s.chunks(), s.decisive(), s.docTokens()));
        }
        return new Outcome(WindowCombiner.rescored(hits, finals, request.minScore()), CarriedScores.encode(carried, explain), false);
    }

    private static void record(RerankStats stats, String model, CrossEncoder.Result r) {
        stats.add(model, StatName.PAIRS, r.scores().size());
        stats.add(model, StatName.CHUNKS, r.rows());
        stats.add(model, StatName.BATCHES, r.batches());
        stats.add(model, StatName.TOKENS, r.tokens());
        stats.add(model, StatName.PADDED_TOKENS, r.paddedTokens());
        stats.add(model, StatName.INFERENCE_MILLIS, TimeUnit.NANOSECONDS.toMillis(r.nanos()));
        stats.recordLatency(model, r.nanos() / 1e6);
    }
}
