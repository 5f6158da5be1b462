package org.shardrerank.inference;

import org.junit.Test;
import org.shardrerank.CoreTestCase;

public class VectorPoolingTests extends CoreTestCase {
    // two rows, sequence length 3, dim 2; row 0 has 2 real tokens, row 1 has 3
    private static final float[] HIDDEN = {
        1, 2, 3, 4, 100, 100,
        -1, 0, 0, 3, 4, 0 };

    @Test

    public void testMeanAveragesOnlyRealTokens() {
        assertArrayEquals(new float[] { 2, 3 }, VectorPooling.MEAN.pool(HIDDEN, 0, 3, 2, 2), 1e-6f);
        assertArrayEquals(new float[] { 1, 1 }, VectorPooling.MEAN.pool(HIDDEN, 1, 3, 2, 3), 1e-6f);
    }

    @Test

    public void testClsTakesTheFirstToken() {
        assertArrayEquals(new float[] { 1, 2 }, VectorPooling.CLS.pool(HIDDEN, 0, 3, 2, 2), 0f);
        assertArrayEquals(new float[] { -1, 0 }, VectorPooling.CLS.pool(HIDDEN, 1, 3, 2, 3), 0f);
    }

    @Test

    public void testNormalize() {
        assertArrayEquals(new float[] { 0.6f, 0.8f }, VectorPooling.normalize(new float[] { 3, 4 }), 1e-6f);
        assertArrayEquals("a zero vector stays zero", new float[] { 0, 0 }, VectorPooling.normalize(new float[] { 0, 0 }), 0f);
        float[] random = new float[384];
        for (int i = 0; i < random.length; i++) {
            random[i] = (float) randomDoubleBetween(-5, 5, true);
        }
        double sq = 0;
        for (float x : VectorPooling.normalize(random)) {
            sq += x * x;
        }
        assertEquals(1.0, sq, 1e-5);
    }

    @Test

    public void testBadTokenCountsAndNames() {
        expectThrows(IllegalArgumentException.class, () -> VectorPooling.MEAN.pool(HIDDEN, 0, 3, 2, 0));
        expectThrows(IllegalArgumentException.class, () -> VectorPooling.MEAN.pool(HIDDEN, 0, 3, 2, 4));
        assertEquals("[pooling] must be one of [mean, cls], got [max]",
            expectThrows(IllegalArgumentException.class, () -> VectorPooling.parse("max")).getMessage());
        assertEquals(VectorPooling.CLS, VectorPooling.parse("cls"));
    }
}
