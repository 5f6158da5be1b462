package org.shardrerank.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups rows into model runs with little padding: rows sorted by length, cut into batches of at most
 * {@code batchSize} rows whose padded size (rows x longest row) stays within {@code maxBatchTokens}, since
 * ONNX Runtime's memory arena keeps whatever its largest batch needed. Rows of equal length are ordered by their
 * tokens, not by their place in the window: a dynamically quantized (int8) model takes one activation scale per
 * batch, so a row's score depends on its batch-mates, and the window's order comes from Lucene doc ids, which
 * differ between replicas and after merges. Ordered by content, the same window makes the same batches everywhere.
 */
final class BatchPlanner {
    private BatchPlanner() {}

    static List<List<Chunk>> plan(List<Chunk> rows, int batchSize, int maxBatchTokens) {
        List<Chunk> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(Chunk::length).thenComparing(Chunk::ids, Arrays::compare));
        List<List<Chunk>> batches = new ArrayList<>();
        List<Chunk> current = new ArrayList<>();
        for (Chunk row : sorted) {
            // sorted ascending: the row being added is the longest, so it sets the padded length
            boolean full = current.size() == batchSize || (long) (current.size() + 1) * row.length() > maxBatchTokens;
            if (full && current.isEmpty() == false) {
                batches.add(current);
                current = new ArrayList<>();
            }
            current.add(row);
        }
        if (current.isEmpty() == false) {
            batches.add(current);
        }
        return batches;
    }

    /** Tokens the model actually processes for {@code batch}, padding included. */
    static long paddedTokens(List<Chunk> batch) {
        return (long) longest(batch) * batch.size();
    }

    /** The padded length of {@code batch}. */
    static int longest(List<Chunk> batch) {
        int longest = 0;
        for (Chunk c : batch) {
            longest = Math.max(longest, c.length());
        }
        return longest;
    }
}
