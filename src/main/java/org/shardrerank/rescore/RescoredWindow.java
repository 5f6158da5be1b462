package org.shardrerank.rescore;

import org.shardrerank.inference.PairScore;

import java.util.Map;

/**
 * What one shard's rescore computed, kept so that explain (which may run in a later fetch request on the
 * same reader) reports the very numbers the query phase used.
 *
 * @param docs   per rescored doc id: its first-stage score, the model's score and its final score
 * @param result the window's normalization bounds and the shift of hits outside the window
 */
record RescoredWindow(Map<Integer, Doc> docs, WindowCombiner.Outcome result) {
    record Doc(float firstStage, PairScore model, float finalScore) {}
}
