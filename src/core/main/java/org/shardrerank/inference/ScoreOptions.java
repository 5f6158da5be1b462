package org.shardrerank.inference;

/**
 * How to score one request's pairs.
 *
 * @param maxLength      tokens per model row, special tokens included
 * @param stride         document tokens shared by consecutive windows of a long document
 * @param maxChunks      windows scored per document at most
 * @param pooling        how chunk scores become a document score
 * @param batchSize      rows per model run at most
 * @param maxBatchTokens rows x padded length per model run at most
 * @param timeoutNanos   how long to wait for the model runs in total
 */
public record ScoreOptions(int maxLength, int stride, int maxChunks, Pooling pooling, int batchSize, int maxBatchTokens, long timeoutNanos) {}
