package org.shardrerank.inference;

import java.util.Arrays;

/**
 * The special tokens and segment ids a tokenizer puts around a (query, document) pair, learned once from
 * the tokenizer's own pair encoding of a probe. It lets us truncate and window the document ourselves
 * while producing exactly what the tokenizer's post-processor would: BERT's {@code [CLS] q [SEP] d [SEP]}
 * with token types 0/1, or XLM-RoBERTa's {@code <s> q </s></s> d </s>} with token types 0.
 */
final class PairTemplate {
    private final long[] prefix, middle, suffix;
    private final long[] prefixTypes, middleTypes, suffixTypes;
    private final long queryType, docType;

    PairTemplate(long[] pairIds, long[] pairTypes, long[] queryIds, long[] docIds) {
        int q = indexOf(pairIds, queryIds, 0);
        int d = q < 0 ? -1 : indexOf(pairIds, docIds, q + queryIds.length);
        if (q < 0 || d < 0) {
            throw new IllegalArgumentException("cannot learn the tokenizer's pair template: probe tokens not found in its pair encoding");
        }
        prefix = Arrays.copyOfRange(pairIds, 0, q);
        middle = Arrays.copyOfRange(pairIds, q + queryIds.length, d);
        suffix = Arrays.copyOfRange(pairIds, d + docIds.length, pairIds.length);
        prefixTypes = Arrays.copyOfRange(pairTypes, 0, q);
        middleTypes = Arrays.copyOfRange(pairTypes, q + queryIds.length, d);
        suffixTypes = Arrays.copyOfRange(pairTypes, d + docIds.length, pairTypes.length);
        queryType = pairTypes[q];
        docType = pairTypes[d];
    }

    /** Number of special tokens a pair carries. */
    int specialTokens() {
        return prefix.length + middle.length + suffix.length;
    }

    Chunk pair(int doc, int index, long[] query, long[] docIds, int from, int to) {
        int n = specialTokens() + query.length + (to - from);
        long[] ids = new long[n];
        long[] types = new long[n];
        int at = 0;
        at = put(ids, types, at, prefix, prefixTypes);
        System.arraycopy(query, 0, ids, at, query.length);
        Arrays.fill(types, at, at + query.length, queryType);
        at += query.length;
        at = put(ids, types, at, middle, middleTypes);
        System.arraycopy(docIds, from, ids, at, to - from);
        Arrays.fill(types, at, at + (to - from), docType);
        at += to - from;
        put(ids, types, at, suffix, suffixTypes);
        return new Chunk(doc, index, ids, types);
    }

    private static int put(long[] ids, long[] types, int at, long[] part, long[] partTypes) {
        System.arraycopy(part, 0, ids, at, part.length);
        System.arraycopy(partTypes, 0, types, at, partTypes.length);
        return at + part.length;
    }

    private static int indexOf(long[] haystack, long[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
