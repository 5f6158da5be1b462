package org.shardrerank.inference;

import org.junit.Test;
import org.shardrerank.CoreTestCase;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

public class BatchPlannerTests extends CoreTestCase {

    private static Chunk row(int doc, int length) {
        return new Chunk(doc, 0, new long[length], new long[length]);
    }

    @Test

    public void testBatchesAreLengthSortedAndBounded() {
        List<Chunk> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(row(i, randomIntBetween(5, 300)));
        }
        int batchSize = randomIntBetween(1, 16);
        int maxTokens = randomIntBetween(300, 4000);
        List<List<Chunk>> batches = BatchPlanner.plan(rows, batchSize, maxTokens);
        Set<Integer> seen = new HashSet<>();
        int previousLongest = 0;
        for (List<Chunk> b : batches) {
            assertTrue(b.size() <= batchSize);
            assertTrue("padded size within the cap", BatchPlanner.paddedTokens(b) <= maxTokens);
            for (int i = 1; i < b.size(); i++) {
                assertTrue(b.get(i - 1).length() <= b.get(i).length());
            }
            assertTrue(b.get(0).length() >= previousLongest);
            previousLongest = b.get(b.size() - 1).length();
            b.forEach(c -> seen.add(c.doc()));
        }
        assertEquals("every row planned once", 200, seen.size());
    }

    @Test

    public void testRowLongerThanTheCapRunsAlone() {
        List<List<Chunk>> batches = BatchPlanner.plan(List.of(row(0, 10), row(1, 500), row(2, 12)), 8, 100);
        assertEquals(2, batches.size());
        assertEquals(List.of(0, 2), batches.get(0).stream().map(Chunk::doc).toList());
        assertEquals(1, batches.get(1).size());
    }

    @Test

    public void testBatchesDependOnRowContentNotOnWindowOrder() {
        List<long[]> texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long[] ids = new long[randomIntBetween(20, 24)]; // many rows of equal length: the order among them decides batches
            for (int t = 0; t < ids.length; t++) {
                ids[t] = randomIntBetween(100, 30000);
            }
            texts.add(ids);
        }
        List<Chunk> window = new ArrayList<>();
        List<Chunk> shuffled = new ArrayList<>();
        List<Integer> order = new ArrayList<>(java.util.stream.IntStream.range(0, texts.size()).boxed().toList());
        java.util.Collections.shuffle(order, random());
        for (int i = 0; i < texts.size(); i++) {
            window.add(new Chunk(i, 0, texts.get(i), new long[texts.get(i).length]));
            // the same documents at other places of the window, as on a replica with other doc ids
            long[] ids = texts.get(order.get(i));
            shuffled.add(new Chunk(i, 0, ids, new long[ids.length]));
        }
        assertEquals(contents(BatchPlanner.plan(window, 8, 8192)), contents(BatchPlanner.plan(shuffled, 8, 8192)));
    }

    private static List<Set<List<Long>>> contents(List<List<Chunk>> batches) {
        return batches.stream().map(b -> b.stream().map(c -> java.util.Arrays.stream(c.ids()).boxed().toList())
            .collect(java.util.stream.Collectors.toSet())).toList();
    }
}
