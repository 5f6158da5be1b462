package org.shardrerank.inference;

import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.TestModels;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

public class PairTokenizerTests extends CoreTestCase {

    private static PairTokenizer bert() throws IOException {
        return PairTokenizer.load(TestModels.folder("overlap-logit").resolve("tokenizer.json"));
    }

    @Test

    public void testPairRowEqualsTheTokenizersOwnPairEncoding() throws IOException {
        try (PairTokenizer t = bert()) {
            String[][] pairs = {
                { "do goldfish grow?", "Goldfish grow as large as their tank allows." },
                { "Ünïcödé query", "日本語 text, with punctuation!!" },
                { "q", "" } };
            for (String[] p : pairs) {
                long[] q = t.ids(p[0]);
                long[] d = t.ids(p[1]);
                List<Chunk> rows = t.chunks(0, q, d, 512, 0, 1);
                long[][] reference = t.referencePair(p[0], p[1]);
                assertArrayEquals(Arrays.toString(p), reference[0], rows.get(0).ids());
                assertArrayEquals(Arrays.toString(p), reference[1], rows.get(0).typeIds());
            }
            assertEquals("[CLS] [SEP] [SEP]", 3, t.specialTokens());
            long[] row = t.chunks(0, t.ids("a"), t.ids("b"), 512, 0, 1).get(0).ids();
            assertEquals(101, row[0]);
            assertEquals(102, row[row.length - 1]);
        }
    }

    @Test

    public void testWindowsKeepTheWholeQueryAndOverlapByStride() throws IOException {
        try (PairTokenizer t = bert()) {
            long[] q = { 2001, 2002, 2003 };
            long[] d = new long[100];
            for (int i = 0; i < d.length; i++) {
                d[i] = 3000 + i;
            }
            int maxLength = 30, stride = 5;
            List<Chunk> chunks = t.chunks(7, q, d, maxLength, stride, 100);
            int budget = maxLength - q.length - 3;
            int expected = 1 + (int) Math.ceil((double) (d.length - budget) / (budget - stride));
            assertEquals(expected, chunks.size());
            long previousLast = -1;
            for (Chunk c : chunks) {
                assertEquals(7, c.doc());
                assertTrue(c.length() <= maxLength);
                assertArrayEquals(q, Arrays.copyOfRange(c.ids(), 1, 1 + q.length));
                long firstDocToken = c.ids()[q.length + 2];
                if (previousLast >= 0) {
                    assertEquals("consecutive windows share " + stride + " tokens", previousLast - stride + 1, firstDocToken);
                }
                previousLast = c.ids()[c.length() - 2];
            }
            assertEquals("the last window ends with the document", 3099, previousLast);
            assertEquals(3, t.chunks(0, q, d, maxLength, stride, 3).size());
        }
    }

    @Test

    public void testQueryLeavingNoRoomIsRejected() throws IOException {
        try (PairTokenizer t = bert()) {
            long[] q = new long[21];
            Arrays.fill(q, 2000);
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> t.chunks(0, q, new long[] { 1 }, 24, 0, 1));
            assertEquals("the query leaves 0 document tokens per window of 24, not more than the stride 0", e.getMessage());
        }
    }
}
