package org.shardrerank.rescore;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.core.common.breaker.CircuitBreakingException;
import org.opensearch.core.concurrency.OpenSearchRejectedExecutionException;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.tasks.TaskCancelledException;
import org.shardrerank.inference.CrossEncoder;
import org.shardrerank.inference.InferenceCancelledException;
import org.shardrerank.inference.InferenceTimeoutException;
import org.shardrerank.inference.MemoryCharge;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.scoring.CarriedScores;
import org.shardrerank.scoring.FinalScores;
import org.shardrerank.scoring.WindowCombiner;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.stats.StatName;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Rescores a shard's window with a cross-encoder: read the texts in doc-id order, score them in length-sorted
 * batches, turn the model's scores into merge-safe final scores ({@link FinalScores}), sort with a deterministic
 * tie-break, and carry the numbers to the fetch phase for explain ({@link CarriedScores}).
 * Stateless; the per-request state is in {@link CrossEncoderRescoreContext}.
 */
final class CrossEncoderRescorer implements org.opensearch.search.rescore.Rescorer {
    static final CrossEncoderRescorer INSTANCE = new CrossEncoderRescorer();
    private static final Logger logger = LogManager.getLogger(CrossEncoderRescorer.class);

    private CrossEncoderRescorer() {}

    @Override
    public TopDocs rescore(TopDocs topDocs, IndexSearcher searcher, org.opensearch.search.rescore.RescoreContext rescoreContext) {
        CrossEncoderRescoreContext ctx = (CrossEncoderRescoreContext) rescoreContext;
        ScoreDoc[] hits = topDocs.scoreDocs;
        if (hits.length == 0) {
            return topDocs;
        }
        RerankStats stats = ctx.node.stats();
        String model = ctx.request.model();
        stats.increment(model, StatName.RESCORE_REQUESTS);
        int window = Math.min(ctx.getWindowSize(), hits.length);

        // read texts in doc-id order (stored fields are read sequentially), remember each hit's position
        Integer[] byDoc = new Integer[window];
        for (int i = 0; i < window; i++) {
            byDoc[i] = i;
        }
        Arrays.sort(byDoc, (a, b) -> Integer.compare(hits[a].doc, hits[b].doc));
        int[] docs = new int[window];
        for (int i = 0; i < window; i++) {
            docs[i] = hits[byDoc[i]].doc;
        }

        CrossEncoder.Result result;
        float[] probabilities = new float[window];
        try (MemoryCharge textMemory = new MemoryCharge(ctx.breaker); ModelRegistry.Lease lease = ctx.node.encoder(ctx)) {
            List<String> texts = DocumentTexts.load(searcher, docs, ctx.request.fields(), textMemory);
            CrossEncoder encoder = lease.model().encoder();
            result = encoder.score(ctx.request.queryText(), texts, ctx.options, ctx.scheduler.forSearch(ctx.cancellation()), ctx.breaker);
            for (int i = 0; i < window; i++) {
                probabilities[i] = encoder.probability(result.scores().get(i).score());
            }
        } catch (InferenceTimeoutException e) {
            stats.increment(model, StatName.RESCORE_TIMEOUTS);
            if (ctx.request.onTimeout() == OnTimeout.FAIL) {
                stats.increment(model, StatName.RESCORE_FAILURES);
                throw new OpenSearchStatusException("[cross_encoder] " + e.getMessage() + " and [on_timeout] is [fail]", RestStatus.GATEWAY_TIMEOUT);
            }
            stats.increment(model, StatName.RESCORE_FALLBACKS);
            logger.debug("cross_encoder timed out on a shard, keeping the first-stage order: {}", e.getMessage());
            ctx.markFellBack();
            ctx.setRescoredDocs(CarriedScores.fellBack());
            return new TopDocs(topDocs.totalHits, WindowCombiner.notReranked(hits));
        } catch (InferenceCancelledException e) {
            stats.increment(model, StatName.RESCORE_CANCELLATIONS);
            throw new TaskCancelledException("[cross_encoder] " + e.getMessage());
        } catch (RejectedExecutionException e) {
            stats.increment(model, StatName.RESCORE_REJECTIONS);
            throw new OpenSearchRejectedExecutionException("[cross_encoder] the inference queue is full: " + e.getMessage());
        } catch (CircuitBreakingException e) {
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
                throw new OpenSearchStatusException("[cross_encoder] model [" + model + "] returned NaN", RestStatus.INTERNAL_SERVER_ERROR);
            }
            int hit = byDoc[i];
            finals[hit] = ctx.request.scoreMode() == ScoreMode.REPLACE
                ? FinalScores.replace(s.score())
                : FinalScores.combine(hits[hit].score, probabilities[i], ctx.request.firstStageWeight(), ctx.request.rerankWeight(),
                    ctx.request.firstStageScale());
            carried.put(hits[hit].doc, new CarriedScores.Doc(finals[hit], s.score(), s.chunks(), s.decisive(), s.docTokens()));
        }
        ctx.setRescoredDocs(CarriedScores.encode(carried, ctx.explain()));
        return new TopDocs(topDocs.totalHits, WindowCombiner.rescored(hits, finals, ctx.request.minScore()));
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

    /** Reports the numbers the query phase carried; recomputes only the pure parts (the first stage's share, the bands). */
    @Override
    public Explanation explain(int doc, IndexSearcher searcher, org.opensearch.search.rescore.RescoreContext rescoreContext,
                               Explanation first) {
        CrossEncoderRescoreContext ctx = (CrossEncoderRescoreContext) rescoreContext;
        String model = "cross_encoder [" + ctx.request.model() + "]";
        float firstStage = first.getValue().floatValue();
        if (ctx.fellBack()) {
            return Explanation.match(FinalScores.notReranked(firstStage), model + " timed out on this shard ([on_timeout] keep_first_stage): "
                + NOT_RERANKED, first);
        }
        if (ctx.isRescored(doc) == false) {
            return Explanation.match(FinalScores.notReranked(firstStage), model + ": outside the rescore window, " + NOT_RERANKED, first);
        }
        CarriedScores.Doc d = ctx.carried().get(doc);
        if (d == null) {
            throw new IllegalStateException(model + ": the query phase carried no scores for doc [" + doc + "]");
        }
        Explanation modelExplanation = modelExplanation(ctx, d);
        if (ctx.request.scoreMode() == ScoreMode.REPLACE) {
            String floor = d.finalScore() > d.model() ? " raised to the floor " + FinalScores.RERANKED_FLOOR : "";
            return Explanation.match(d.finalScore(), model + ", score_mode [replace]: the model's score" + floor, modelExplanation,
                Explanation.match(firstStage, "first-stage score (not used by replace)", first));
        }
        float w1 = ctx.request.firstStageWeight();
        float w2 = ctx.request.rerankWeight();
        float scale = ctx.request.firstStageScale();
        float probability;
        try (ModelRegistry.Lease lease = ctx.node.encoder(ctx)) {
            probability = lease.model().encoder().probability(d.model());
        }
        Explanation share = Explanation.match(w1 * FinalScores.firstStageShare(firstStage, scale), "first_stage_weight " + w1
            + " x s / (s + first_stage_scale " + scale + "), s = the first-stage score " + firstStage, first);
        Explanation rerank = Explanation.match(w2 * probability, "rerank_weight " + w2 + " x the model's score as a probability "
            + probability, modelExplanation);
        return Explanation.match(d.finalScore(), model + ", score_mode [combine]: sum of", share, rerank);
    }

    private static final String NOT_RERANKED = "not reranked: -2000 + 1000 x (0.5 + 0.5 x s / (1 + |s|)) of the first-stage score s, "
        + "below every reranked hit of every shard";

    private static Explanation modelExplanation(CrossEncoderRescoreContext ctx, CarriedScores.Doc d) {
        String chunk = d.chunks() == 1
            ? "the whole document"
            : d.decisive() < 0
                ? "mean over " + d.chunks() + " chunks"
                : "chunk " + (d.decisive() + 1) + " of " + d.chunks() + " decided (pooling " + ctx.request.pooling() + ")";
        return Explanation.match(d.model(), "model score = " + ctx.activationName + ", " + chunk + ", " + d.docTokens() + " document tokens");
    }
}
