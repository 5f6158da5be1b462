package org.shardrerank.inference;

import org.junit.Test;
import org.shardrerank.CoreTestCase;

public class PoolingTests extends CoreTestCase {
    @Test
    public void testPooling() {
        float[] s = { 0.2f, 0.9f, 0.4f };
        int[] decisive = new int[1];
        assertEquals(0.9f, Pooling.MAX.pool(s, decisive), 0f);
        assertEquals(1, decisive[0]);
        assertEquals(0.5f, Pooling.MEAN.pool(s, decisive), 1e-6f);
        assertEquals(-1, decisive[0]);
        assertEquals(0.2f, Pooling.FIRST.pool(s, decisive), 0f);
        assertEquals(0, decisive[0]);
        assertEquals(0.7f, Pooling.MEAN.pool(new float[] { 0.7f }, decisive), 0f);
        assertEquals("a single chunk decides", 0, decisive[0]);
        assertEquals("[pooling] must be one of [max, mean, first], got [sum]",
            expectThrows(IllegalArgumentException.class, () -> Pooling.parse("sum")).getMessage());
    }

    @Test

    public void testHeads() {
        assertEquals(0.5f, OutputHead.LOGIT.score(new float[] { 0f }, OutputHead.Activation.SIGMOID), 1e-6f);
        assertEquals(-3f, OutputHead.LOGIT.score(new float[] { -3f }, OutputHead.Activation.NONE), 0f);
        assertEquals(1 / (1 + Math.exp(-2)), OutputHead.BINARY_SOFTMAX.score(new float[] { -1f, 1f }, OutputHead.Activation.NONE), 1e-6);
        expectThrows(IllegalStateException.class, () -> OutputHead.BINARY_SOFTMAX.score(new float[] { 1f }, OutputHead.Activation.NONE));
    }
}
