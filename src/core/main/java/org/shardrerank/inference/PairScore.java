package org.shardrerank.inference;

/**
 * A document's relevance under a cross-encoder.
 *
 * @param score       pooled score after the head's activation
 * @param raw         the raw output row of the deciding chunk (the first chunk when pooling is mean)
 * @param chunks      number of windows the document was cut into
 * @param decisive    index of the chunk that decided the score, or -1 for mean pooling over several chunks
 * @param docTokens   document tokens seen by the model (after the max_chunks limit)
 */
public record PairScore(float score, float[] raw, int chunks, int decisive, int docTokens) {}
