package org.shardrerank.inference;

/** One model input row: a query paired with one window of one document, special tokens included. */
record Chunk(int doc, int index, long[] ids, long[] typeIds) {
    int length() {
        return ids.length;
    }
}
