package org.shardrerank.scoring;

import org.apache.lucene.search.ScoreDoc;
import org.junit.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class WindowCombinerTests {
    private static ScoreDoc[] hits(float... firstStage) {
        ScoreDoc[] out = new ScoreDoc[firstStage.length];
        for (int i = 0; i < firstStage.length; i++) {
            out[i] = new ScoreDoc(100 + i, firstStage[i]);
        }
        return out;
    }

    private static int[] docs(ScoreDoc[] hits) {
        return Arrays.stream(hits).mapToInt(h -> h.doc).toArray();
    }

    @Test
    public void windowSortedByFinalScoreThenFirstStageRank() {
        ScoreDoc[] out = WindowCombiner.rescored(hits(9, 8, 7, 6), new float[] { 0.5f, 0.9f, 0.5f, 0.1f }, null);
        assertArrayEquals(new int[] { 101, 100, 102, 103 }, docs(out));
        assertEquals(0.9f, out[0].score, 0f);
    }

    @Test
    public void hitsOutsideTheWindowRankBelowAnyRerankedScoreInFirstStageOrder() {
        ScoreDoc[] out = WindowCombiner.rescored(hits(30, 20, 10, 5), new float[] { -999f, -1000f }, null);
        assertArrayEquals(new int[] { 100, 101, 102, 103 }, docs(out));
        assertTrue(out[2].score < FinalScores.RERANKED_FLOOR);
        assertTrue(out[2].score > out[3].score);
        assertEquals("the same first-stage score gets the same score on any shard", FinalScores.notReranked(10), out[2].score, 0f);
    }

    @Test
    public void minScoreDropsWindowHitsButKeepsOneWhenNothingElseRemains() {
        assertArrayEquals(new int[] { 101 }, docs(WindowCombiner.rescored(hits(3, 2, 1), new float[] { 0.1f, 0.9f, 0.5f }, 0.8f)));
        assertArrayEquals(new int[] { 102 }, docs(WindowCombiner.rescored(hits(3, 2, 1), new float[] { 0.1f, 0.2f, 0.3f }, 0.9f)));
        assertArrayEquals("hits outside the window remain", new int[] { 101 },
            docs(WindowCombiner.rescored(hits(3, 2), new float[] { 0.1f }, 0.9f)));
    }

    @Test
    public void fallbackKeepsFirstStageOrderBelowEveryRerankedScore() {
        ScoreDoc[] out = WindowCombiner.notReranked(hits(25, 0.03f, 0.01f, -3));
        assertArrayEquals(new int[] { 100, 101, 102, 103 }, docs(out));
        for (int i = 0; i < out.length; i++) {
            assertTrue(out[i].score < FinalScores.RERANKED_FLOOR && out[i].score > -2000f);
            assertTrue(i == 0 || out[i - 1].score > out[i].score);
        }
    }

    /** Any two shards: whatever else a shard holds, a hit's score is a function of its own first stage and model score. */
    @Test
    public void scoresDoNotDependOnTheShard() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            float first = random.nextFloat() * 40;
            float prob = random.nextFloat();
            float a = FinalScores.combine(first, prob, 1f, 2f, 12f);
            float b = FinalScores.combine(first, prob, 1f, 2f, 12f);
            assertEquals(a, b, 0f);
            assertTrue(a >= 0 && a <= 3f);
            assertTrue(FinalScores.notReranked(first) < FinalScores.replace(-5000f));
        }
        assertEquals(0.5f, FinalScores.firstStageShare(12f, 12f), 1e-7f);
        assertEquals(0f, FinalScores.firstStageShare(-1f, 12f), 0f);
        assertEquals(FinalScores.RERANKED_FLOOR, FinalScores.replace(-5000f), 0f);
    }

    @Test
    public void notRerankedKeepsTheOrderOfTypicalFirstStageScores() {
        float[] rrf = { 2f / 61, 1f / 61 + 1f / 62, 1f / 61, 1f / 62, 1f / 160 };
        float[] bm25 = { 41.2f, 41.1f, 30.01f, 30f, 5f, 0.5f, 0f };
        for (float[] scores : new float[][] { rrf, bm25 }) {
            for (int i = 1; i < scores.length; i++) {
                assertTrue(scores[i - 1] + " above " + scores[i], FinalScores.notReranked(scores[i - 1]) > FinalScores.notReranked(scores[i]));
            }
        }
    }
}
