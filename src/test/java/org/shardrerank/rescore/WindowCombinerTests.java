package org.shardrerank.rescore;

import org.apache.lucene.search.ScoreDoc;
import org.opensearch.test.OpenSearchTestCase;

import java.util.Arrays;

public class WindowCombinerTests extends OpenSearchTestCase {

    private static ScoreDoc[] hits(float... scores) {
        ScoreDoc[] hits = new ScoreDoc[scores.length];
        for (int i = 0; i < scores.length; i++) {
            hits[i] = new ScoreDoc(100 + i, scores[i], 0);
        }
        return hits;
    }

    private static int[] docs(WindowCombiner.Outcome o) {
        return Arrays.stream(o.hits()).mapToInt(h -> h.doc).toArray();
    }

    public void testReplaceOrdersByModelAndKeepsTheWindowAboveTheRest() {
        ScoreDoc[] hits = hits(10f, 9f, 8f, 7f, 6f);
        WindowCombiner.Outcome o = WindowCombiner.combine(hits, 3, new float[] { 0.1f, 0.9f, 0.5f }, ScoreMode.REPLACE, 1, 1, null);
        assertArrayEquals(new int[] { 101, 102, 100, 103, 104 }, docs(o));
        assertEquals(0.9f, o.hits()[0].score, 0f);
        assertTrue("outside hits below the lowest rescored hit", o.hits()[3].score < 0.1f);
        assertEquals("gaps kept", 1f, o.hits()[3].score - o.hits()[4].score, 1e-5f);
        assertEquals(7f - 0.1f + 1, o.shift(), 1e-5);
        assertSorted(o);
    }

    public void testTiesKeepFirstStageOrder() {
        ScoreDoc[] hits = hits(5f, 4f, 3f);
        WindowCombiner.Outcome o = WindowCombiner.combine(hits, 3, new float[] { 1f, 2f, 1f }, ScoreMode.REPLACE, 1, 1, null);
        assertArrayEquals(new int[] { 101, 100, 102 }, docs(o));
    }

    public void testCombineUsesMinMaxNormalizedScores() {
        ScoreDoc[] hits = hits(10f, 6f, 2f);
        WindowCombiner.Outcome o = WindowCombiner.combine(hits, 3, new float[] { 0f, 1f, 4f }, ScoreMode.COMBINE, 1f, 3f, null);
        // first: 1, 0.5, 0 ; model: 0, 0.25, 1 -> 1, 1.25, 3
        assertArrayEquals(new int[] { 102, 101, 100 }, docs(o));
        assertEquals(3f, o.hits()[0].score, 1e-6f);
        assertEquals(1.25f, o.hits()[1].score, 1e-6f);
        assertEquals(1f, o.hits()[2].score, 1e-6f);
    }

    public void testEqualScoresNormalizeToOne() {
        ScoreDoc[] hits = hits(3f, 3f);
        WindowCombiner.Outcome o = WindowCombiner.combine(hits, 2, new float[] { 2f, 2f }, ScoreMode.COMBINE, 1f, 1f, null);
        assertEquals(2f, o.hits()[0].score, 0f);
        assertArrayEquals(new int[] { 100, 101 }, docs(o));
    }

    public void testMinScoreDropsWindowHitsButNeverEverything() {
        ScoreDoc[] hits = hits(10f, 9f, 8f);
        WindowCombiner.Outcome some = WindowCombiner.combine(hits, 3, new float[] { 0.1f, 0.9f, 0.5f }, ScoreMode.REPLACE, 1, 1, 0.4f);
        assertArrayEquals(new int[] { 101, 102 }, docs(some));
        WindowCombiner.Outcome none = WindowCombiner.combine(hits, 3, new float[] { 0.1f, 0.2f, 0.3f }, ScoreMode.REPLACE, 1, 1, 0.9f);
        assertArrayEquals("the rescore phase cannot return no hit: the best stays", new int[] { 102 }, docs(none));
        WindowCombiner.Outcome outsideOnly = WindowCombiner.combine(hits(5f, 4f, 3f), 1, new float[] { 0.1f }, ScoreMode.REPLACE, 1, 1, 0.9f);
        assertArrayEquals(new int[] { 101, 102 }, docs(outsideOnly));
        assertEquals("no rescored hit left: outside hits keep their scores", 4f, outsideOnly.hits()[0].score, 0f);
    }

    public void testRandomOutcomesAreSorted() {
        for (int iter = 0; iter < 100; iter++) {
            int n = randomIntBetween(1, 50);
            float[] first = new float[n];
            for (int i = 0; i < n; i++) {
                first[i] = randomFloat() * 1000;
            }
            Arrays.sort(first);
            float[] desc = new float[n];
            for (int i = 0; i < n; i++) {
                desc[i] = first[n - 1 - i];
            }
            int window = randomIntBetween(1, n);
            float[] model = new float[window];
            for (int i = 0; i < window; i++) {
                model[i] = (randomFloat() - 0.5f) * 20;
            }
            ScoreMode mode = randomFrom(ScoreMode.values());
            WindowCombiner.Outcome o = WindowCombiner.combine(hits(desc), window, model, mode, randomFloat(), randomFloat() + 0.1f,
                randomBoolean() ? null : randomFloat());
            assertSorted(o);
        }
    }

    private static void assertSorted(WindowCombiner.Outcome o) {
        for (int i = 1; i < o.hits().length; i++) {
            assertTrue(Arrays.toString(o.hits()), o.hits()[i - 1].score >= o.hits()[i].score);
        }
    }
}
