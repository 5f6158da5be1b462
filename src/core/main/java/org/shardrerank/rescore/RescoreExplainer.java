package org.shardrerank.rescore;

import org.apache.lucene.search.Explanation;
import org.shardrerank.model.ModelRegistry;
import org.shardrerank.scoring.CarriedScores;
import org.shardrerank.scoring.FinalScores;

import java.util.Map;

/**
 * Explains a hit's final score from the numbers the query phase carried ({@link CarriedScores}); recomputes only the pure
 * parts (the first stage's share, the bands), so the explanation always equals the score.
 */
public final class RescoreExplainer {
    private static final String NOT_RERANKED = "not reranked: -2000 + 1000 x (0.5 + 0.5 x s / (1 + |s|)) of the first-stage score s, "
        + "below every reranked hit of every shard";

    private RescoreExplainer() {}

    /**
     * @param fellBack this shard kept its first-stage order
     * @param rescored whether the doc was in the shard's window
     * @param carried  the window's numbers, decoded
     */
    public static Explanation explain(int doc, Explanation first, RescorePlan plan, RescorePlanner node, boolean fellBack, boolean rescored,
                                      Map<Integer, CarriedScores.Doc> carried) {
        CrossEncoderRequest request = plan.request();
        String model = "cross_encoder [" + request.model() + "]";
        float firstStage = first.getValue().floatValue();
        if (fellBack) {
            return Explanation.match(FinalScores.notReranked(firstStage), model + " timed out on this shard ([on_timeout] keep_first_stage): "
                + NOT_RERANKED, first);
        }
        if (rescored == false) {
            return Explanation.match(FinalScores.notReranked(firstStage), model + ": outside the rescore window, " + NOT_RERANKED, first);
        }
        CarriedScores.Doc d = carried.get(doc);
        if (d == null) {
            throw new IllegalStateException(model + ": the query phase carried no scores for doc [" + doc + "]");
        }
        Explanation modelExplanation = modelExplanation(plan, d);
        if (request.scoreMode() == ScoreMode.REPLACE) {
            String floor = d.finalScore() > d.model() ? " raised to the floor " + FinalScores.RERANKED_FLOOR : "";
            return Explanation.match(d.finalScore(), model + ", score_mode [replace]: the model's score" + floor, modelExplanation,
                Explanation.match(firstStage, "first-stage score (not used by replace)", first));
        }
        float w1 = request.firstStageWeightOrDefault();
        float w2 = request.rerankWeightOrDefault();
        float scale = request.firstStageScaleOrNaN();
        float probability;
        try (ModelRegistry.Lease lease = node.encoder(plan)) {
            probability = lease.model().encoder().probability(d.model());
        }
        Explanation share = Explanation.match(w1 * FinalScores.firstStageShare(firstStage, scale), "first_stage_weight " + w1
            + " x s / (s + first_stage_scale " + scale + "), s = the first-stage score " + firstStage, first);
        Explanation rerank = Explanation.match(w2 * probability, "rerank_weight " + w2 + " x the model's score as a probability "
            + probability, modelExplanation);
        return Explanation.match(d.finalScore(), model + ", score_mode [combine]: sum of", share, rerank);
    }

    private static Explanation modelExplanation(RescorePlan plan, CarriedScores.Doc d) {
        String chunk = d.chunks() == 1
            ? "the whole document"
            : d.decisive() < 0
                ? "mean over " + d.chunks() + " chunks"
                : "chunk " + (d.decisive() + 1) + " of " + d.chunks() + " decided (pooling " + plan.request().pooling() + ")";
        return Explanation.match(d.model(), "model score = " + plan.activationName() + ", " + chunk + ", " + d.docTokens() + " document tokens");
    }
}
