package org.shardrerank.fusion;

import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class ReciprocalRankFusionTests extends CoreTestCase {

    /** A ranked list of doc ids, best first; scores descend so the list is a plausible TopDocs. */
    private static TopDocs list(int... docs) {
        ScoreDoc[] hits = new ScoreDoc[docs.length];
        for (int i = 0; i < docs.length; i++) {
            hits[i] = new ScoreDoc(docs[i], docs.length - i);
        }
        return new TopDocs(new TotalHits(docs.length, TotalHits.Relation.EQUAL_TO), hits);
    }

    private static int[] docs(ScoreDoc[] hits) {
        return Arrays.stream(hits).mapToInt(h -> h.doc).toArray();
    }

    private TopDocs randomList(int maxDoc, int length) {
        List<Integer> pool = new ArrayList<>();
        for (int d = 0; d < maxDoc; d++) {
            pool.add(d);
        }
        Collections.shuffle(pool, random());
        return list(pool.subList(0, Math.min(length, maxDoc)).stream().mapToInt(Integer::intValue).toArray());
    }

    @Test

    public void testFormulaRanksFromOne() {
        FusedRanking r = ReciprocalRankFusion.fuse(new TopDocs[] { list(7, 3), list(3, 9) }, new float[] { 1, 1 }, 60);
        assertArrayEquals(new int[] { 3, 7, 9 }, docs(r.ranked()));
        assertEquals(1.0 / 62 + 1.0 / 61, r.sum(r.slot(3)), 0);
        assertEquals(1.0 / 61, r.sum(r.slot(7)), 0);
        assertEquals(1.0 / 62, r.sum(r.slot(9)), 0);
        assertEquals(2, r.rank(r.slot(3), 0));
        assertEquals(1, r.rank(r.slot(3), 1));
        assertEquals(0, r.rank(r.slot(7), 1));
    }

    @Test

    public void testDocumentInOneListGetsItsShare() {
        FusedRanking r = ReciprocalRankFusion.fuse(new TopDocs[] { list(1, 2, 3), list(4, 5) }, new float[] { 1, 1 }, 10);
        assertEquals(1.0 / 13, r.sum(r.slot(3)), 0);
        assertEquals(1.0 / 12, r.sum(r.slot(5)), 0);
        assertEquals(5, r.size());
    }

    @Test

    public void testEmptyLists() {
        assertEquals(0, ReciprocalRankFusion.fuse(new TopDocs[] { list(), list() }, new float[] { 1, 1 }, 60).size());
        FusedRanking r = ReciprocalRankFusion.fuse(new TopDocs[] { list(), list(8, 2, 5) }, new float[] { 1, 1 }, 60);
        assertArrayEquals(new int[] { 8, 2, 5 }, docs(r.ranked()));
        assertEquals((float) (1.0 / 63), r.score(r.slot(5)), 0f);
    }

    @Test

    public void testWeightsScaleEachListsShare() {
        // list 1 weighs 3: its second document (1 x 3/62) beats list 0's first (1/61)
        FusedRanking r = ReciprocalRankFusion.fuse(new TopDocs[] { list(1, 2), list(3, 4) }, new float[] { 1, 3 }, 60);
        assertArrayEquals(new int[] { 3, 4, 1, 2 }, docs(r.ranked()));
        assertEquals(3.0 / 62, r.sum(r.slot(4)), 0);
    }

    @Test

    public void testTieGoesToBetterBestRankThenLowerDoc() {
        // doc 50 at rank 62 of a list weighing 2 scores 2/122 = 1/61, like doc 99 at rank 1 of a list weighing 1
        int[] heavy = new int[62];
        for (int i = 0; i < 61; i++) {
            heavy[i] = 100 + i;
        }
        heavy[61] = 50;
        FusedRanking r = ReciprocalRankFusion.fuse(new TopDocs[] { list(heavy), list(99) }, new float[] { 2, 1 }, 60);
        assertEquals(r.sum(r.slot(50)), r.sum(r.slot(99)), 0);
        int[] order = docs(r.ranked());
        int pos99 = indexOf(order, 99);
        assertEquals("best rank 1 beats best rank 62 despite the higher doc id", 50, order[pos99 + 1]);
        assertEquals(Math.nextDown(r.score(r.slot(99))), r.score(r.slot(50)), 0f);

        // equal sums and equal best ranks: the lower doc id first
        FusedRanking same = ReciprocalRankFusion.fuse(new TopDocs[] { list(9), list(4) }, new float[] { 1, 1 }, 60);
        assertArrayEquals(new int[] { 4, 9 }, docs(same.ranked()));
        assertEquals((float) (1.0 / 61), same.score(same.slot(4)), 0f);
        assertEquals(Math.nextDown((float) (1.0 / 61)), same.score(same.slot(9)), 0f);
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }

    @Test

    public void testServedScoresStrictlyDecreaseAndStayCloseToTheSums() {
        for (int iter = 0; iter < 100; iter++) {
            int n = randomIntBetween(2, 4);
            TopDocs[] lists = new TopDocs[n];
            float[] weights = new float[n];
            for (int l = 0; l < n; l++) {
                lists[l] = randomList(randomIntBetween(1, 40), randomIntBetween(0, 30));
                weights[l] = randomBoolean() ? 1f : randomIntBetween(1, 4) / 2f;
            }
            FusedRanking r = ReciprocalRankFusion.fuse(lists, weights, randomIntBetween(1, 100));
            ScoreDoc[] ranked = r.ranked();
            for (int i = 0; i < ranked.length; i++) {
                int slot = r.slot(ranked[i].doc);
                assertEquals(r.sum(slot), ranked[i].score, 1e-6 * r.sum(slot));
                assertTrue(ranked[i].score > 0);
                if (i > 0) {
                    assertTrue("strictly decreasing at " + i, ranked[i].score < ranked[i - 1].score);
                    assertTrue(r.sum(slot) <= r.sum(r.slot(ranked[i - 1].doc)));
                }
            }
        }
    }

    /** Lucene's TopDocs.rrf is the independent reference for unweighted fusion: same documents, same float scores. */
    @Test
    public void testAgreesWithLuceneRrf() {
        for (int iter = 0; iter < 100; iter++) {
            int n = randomIntBetween(2, 4);
            int k = randomIntBetween(1, 100);
            TopDocs[] lists = new TopDocs[n];
            float[] ones = new float[n];
            for (int l = 0; l < n; l++) {
                lists[l] = randomList(randomIntBetween(1, 60), randomIntBetween(0, 40));
                ones[l] = 1f;
            }
            FusedRanking ours = ReciprocalRankFusion.fuse(lists, ones, k);
            TopDocs lucene = TopDocs.rrf(Math.max(1, ours.size()), k, lists);
            assertEquals(lucene.scoreDocs.length, ours.size());
            Map<Integer, Float> expected = new HashMap<>();
            for (ScoreDoc d : lucene.scoreDocs) {
                expected.put(d.doc, d.score);
            }
            for (ScoreDoc d : ours.ranked()) {
                assertEquals(expected.get(d.doc), (float) ours.sum(ours.slot(d.doc)), 0f);
            }
        }
    }

    @Test

    public void testRejectsBadInput() {
        assertEquals("expected one weight per list, got 1 weights for 2 lists",
            expectThrows(IllegalArgumentException.class, () -> ReciprocalRankFusion.fuse(new TopDocs[] { list(1), list(2) }, new float[] { 1 }, 60))
                .getMessage());
        assertEquals("rankConstant must be >= 1, got 0",
            expectThrows(IllegalArgumentException.class, () -> ReciprocalRankFusion.fuse(new TopDocs[] { list(1) }, new float[] { 1 }, 0))
                .getMessage());
        assertEquals("doc 4 appears twice in list 1",
            expectThrows(IllegalArgumentException.class,
                () -> ReciprocalRankFusion.fuse(new TopDocs[] { list(1), list(4, 4) }, new float[] { 1, 1 }, 60)).getMessage());
    }
}
