package org.shardrerank.rescore;

import org.shardrerank.inference.ScoreOptions;

/**
 * One shard's resolved rescore: the request, its window, the options checked against the model that served when the
 * shard started, and how that model turns its output into a score (for explanations).
 */
public record RescorePlan(CrossEncoderRequest request, int windowSize, ScoreOptions options, String activationName) {}
