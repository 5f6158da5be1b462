package org.shardrerank.scoring;

/**
 * The final score of a hit after the cross-encoder. Every shard rescores its own window before the coordinator merges
 * the shards by score, so a final score may depend on the hit alone: not on which shard holds it, nor on the other
 * documents of its shard (no min-max over a window, no shift below a shard's lowest hit).
 * <p>
 * Two bands keep the merge sound. A hit the model scored gets at least {@link #RERANKED_FLOOR}. A hit it did not score
 * (outside the window, or on a shard that fell back to the first stage) gets a score in ({@code -2000}, {@code -1000}),
 * increasing with its first-stage score: on every shard and after the merge it ranks below every reranked hit, and the
 * hits that were not reranked keep their first-stage order among themselves, across shards too.
 */
public final class FinalScores {
    /** The lowest score of a reranked hit; a model's score below it (a logit under -1000) is raised to it. */
    public static final float RERANKED_FLOOR = -1000f;
    private static final double NOT_RERANKED_MIN = -2000;
    private static final double BAND_WIDTH = 1000;

    private FinalScores() {}

    /** {@code replace}: the model's score after its activation. */
    public static float replace(float model) {
        return Math.max(model, RERANKED_FLOOR);
    }

    /**
     * {@code combine}: {@code firstWeight x share(firstStage) + rerankWeight x probability}, in [0, firstWeight + rerankWeight].
     *
     * @param probability the model's score as a probability of relevance (sigmoid of a logit, or a softmax)
     */
    public static float combine(float firstStage, float probability, float firstWeight, float rerankWeight, float firstStageScale) {
        return (float) (firstWeight * (double) firstStageShare(firstStage, firstStageScale) + rerankWeight * (double) probability);
    }

    /**
     * The first stage's part of {@code combine}: {@code s / (s + scale)} in [0, 1), one half at {@code s = scale};
     * a score of 0 or below counts 0. The same on every shard, unlike a min-max over one shard's window.
     */
    public static float firstStageShare(float firstStage, float scale) {
        return firstStage > 0 ? (float) (firstStage / ((double) firstStage + scale)) : 0f;
    }

    /**
     * A hit the model did not score: {@code -2000 + 1000 x (0.5 + 0.5 x s / (1 + |s|))} of its first-stage score s,
     * strictly between -2000 and {@link #RERANKED_FLOOR}.
     */
    public static float notReranked(float firstStage) {
        double s = firstStage;
        double squashed = 0.5 + 0.5 * s / (1 + Math.abs(s));
        float score = (float) (NOT_RERANKED_MIN + BAND_WIDTH * squashed);
        return Math.min(Math.max(score, Math.nextUp((float) NOT_RERANKED_MIN)), Math.nextDown(RERANKED_FLOOR));
    }
}
