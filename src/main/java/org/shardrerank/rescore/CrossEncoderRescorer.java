package org.shardrerank.rescore;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.core.common.breaker.CircuitBreakingException;
import org.opensearch.core.concurrency.OpenSearchRejectedExecutionException;
import org.opensearch.core.rest.RestStatus;
import org.shardrerank.inference.CrossEncoder;
import org.shardrerank.inference.InferenceTimeoutException;
import org.shardrerank.inference.MemoryCharge;
import org.shardrerank.inference.PairScore;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.stats.RerankStats;
import org.shardrerank.stats.StatName;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Rescores a shard's window with a cross-encoder: read the texts in doc-id order, score them in length-sorted
 * batches, combine with the first stage, sort with a deterministic tie-break, and keep what explain needs.
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
        try (MemoryCharge textMemory = new MemoryCharge(ctx.breaker); ModelRegistry.Lease lease = ctx.node.encoder(ctx)) {
            List<String> texts = DocumentTexts.load(searcher, docs, ctx.request.fields(), textMemory);
            result = lease.model().encoder().score(ctx.request.queryText(), texts, ctx.options, ctx.executor, ctx.breaker);
        } catch (InferenceTimeoutException e) {
            stats.increment(model, StatName.RESCORE_TIMEOUTS);
            if (ctx.request.onTimeout() == OnTimeout.FAIL) {
                stats.increment(model, StatName.RESCORE_FAILURES);
                throw new OpenSearchStatusException("[cross_encoder] " + e.getMessage() + " and [on_timeout] is [fail]", RestStatus.GATEWAY_TIMEOUT);
            }
            stats.increment(model, StatName.RESCORE_FALLBACKS);
            logger.debug("cross_encoder timed out on a shard, keeping the first-stage order: {}", e.getMessage());
            FallbackMarker.markTimedOut(ctx);
            return topDocs;
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

        float[] modelScores = new float[window];
        for (int i = 0; i < window; i++) {
            float s = result.scores().get(i).score();
            if (Float.isNaN(s)) {
                stats.increment(model, StatName.RESCORE_FAILURES);
                throw new OpenSearchStatusException("[cross_encoder] model [" + model + "] returned NaN", RestStatus.INTERNAL_SERVER_ERROR);
            }
            modelScores[byDoc[i]] = s;
        }
        WindowCombiner.Outcome outcome = WindowCombiner.combine(hits, window, modelScores, ctx.request.scoreMode(),
            ctx.request.firstStageWeight(), ctx.request.rerankWeight(), ctx.request.minScore());

        Map<Integer, RescoredWindow.Doc> details = new HashMap<>(window * 2);
        for (int i = 0; i < window; i++) {
            details.put(hits[byDoc[i]].doc, new RescoredWindow.Doc(hits[byDoc[i]].score, result.scores().get(i), outcome.scores()[byDoc[i]]));
        }
        Set<Integer> rescored = new HashSet<>(details.keySet());
        ctx.setRescoredDocs(rescored);
        ctx.window = new RescoredWindow(details, outcome);
        ctx.node.remember(key(searcher, ctx), ctx.window);
        return new TopDocs(topDocs.totalHits, outcome.hits());
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

    @Override
    public Explanation explain(int doc, IndexSearcher searcher, org.opensearch.search.rescore.RescoreContext rescoreContext,
                               Explanation first) {
        CrossEncoderRescoreContext ctx = (CrossEncoderRescoreContext) rescoreContext;
        RescoredWindow window = ctx.window != null ? ctx.window : ctx.node.recall(key(searcher, ctx));
        String model = "cross_encoder [" + ctx.request.model() + "]";
        if (FallbackMarker.timedOut(ctx)) {
            return Explanation.match(first.getValue(), model + " timed out on this shard ([on_timeout] keep_first_stage): first-stage score kept", first);
        }
        if (ctx.isRescored(doc) == false) {
            if (window == null || window.result().shift() == 0) {
                return Explanation.match(first.getValue(), model + ": outside the rescore window, first-stage score kept", first);
            }
            double shift = window.result().shift();
            return Explanation.match((float) (first.getValue().floatValue() - shift),
                model + ": outside the rescore window, first-stage score minus " + shift + " to rank below the rescored hits", first);
        }
        RescoredWindow.Doc d = window == null ? null : window.docs().get(doc);
        if (d == null) {
            // explain reached a copy of the reader that did not run this query phase: score the document again
            PairScore score;
            try (MemoryCharge textMemory = new MemoryCharge(ctx.breaker); ModelRegistry.Lease lease = ctx.node.encoder(ctx)) {
                List<String> text = DocumentTexts.load(searcher, new int[] { doc }, ctx.request.fields(), textMemory);
                score = lease.model().encoder().score(ctx.request.queryText(), text, ctx.options, ctx.executor, ctx.breaker)
                    .scores().get(0);
            }
            Explanation modelExplanation = modelExplanation(ctx, score);
            if (ctx.request.scoreMode() == ScoreMode.REPLACE) {
                return Explanation.match(score.score(), model + ", score_mode [replace]: the model's score", modelExplanation, first);
            }
            return Explanation.noMatch(model + ", score_mode [combine]: window bounds unavailable for this reader", modelExplanation, first);
        }
        Explanation modelExplanation = modelExplanation(ctx, d.model());
        if (ctx.request.scoreMode() == ScoreMode.REPLACE) {
            return Explanation.match(d.finalScore(), model + ", score_mode [replace]: the model's score", modelExplanation,
                Explanation.match(d.firstStage(), "first-stage score (not used by replace)", first));
        }
        WindowCombiner.MinMax f = window.result().first();
        WindowCombiner.MinMax r = window.result().rerank();
        float w1 = ctx.request.firstStageWeight();
        float w2 = ctx.request.rerankWeight();
        List<Explanation> parts = new ArrayList<>();
        parts.add(Explanation.match(w1 * f.normalize(d.firstStage()), "first_stage_weight " + w1 + " x min-max normalized first-stage score over ["
            + f.min() + ", " + f.max() + "]", first));
        parts.add(Explanation.match(w2 * r.normalize(d.model().score()), "rerank_weight " + w2 + " x min-max normalized model score over ["
            + r.min() + ", " + r.max() + "]", modelExplanation));
        return Explanation.match(d.finalScore(), model + ", score_mode [combine]: sum of", parts);
    }

    private static Explanation modelExplanation(CrossEncoderRescoreContext ctx, PairScore s) {
        String chunk = s.chunks() == 1
            ? "the whole document"
            : s.decisive() < 0
                ? "mean over " + s.chunks() + " chunks"
                : "chunk " + (s.decisive() + 1) + " of " + s.chunks() + " decided (pooling " + ctx.request.pooling() + ")";
        Explanation raw = Explanation.match(s.raw()[s.raw().length - 1], "raw model output " + Arrays.toString(s.raw()));
        return Explanation.match(s.score(), "model score = " + ctx.activationName + ", " + chunk + ", "
            + s.docTokens() + " document tokens", raw);
    }

    private static RescoreContextFactory.WindowKey key(IndexSearcher searcher, CrossEncoderRescoreContext ctx) {
        List<Object> segments = new ArrayList<>();
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            var helper = leaf.reader().getCoreCacheHelper();
            segments.add(helper == null ? leaf.reader() : helper.getKey());
        }
        return new RescoreContextFactory.WindowKey(segments, ctx.request);
    }
}
