package org.shardrerank.elasticsearch.rescore;

import org.junit.Test;
import org.shardrerank.elasticsearch.EsTestCase;

public class ShardMappingTests extends EsTestCase {
    private static final String[] NONE = new String[0];

    @Test
    public void testSourceIncludesAndExcludes() {
        assertTrue(ShardMapping.keptBy("text", NONE, NONE));
        assertTrue(ShardMapping.keptBy("text", new String[] { "text", "title" }, NONE));
        assertFalse(ShardMapping.keptBy("text", new String[] { "title" }, NONE));
        assertFalse(ShardMapping.keptBy("text", NONE, new String[] { "text" }));
        assertFalse(ShardMapping.keptBy("text", NONE, new String[] { "te*" }));
    }

    @Test
    public void testPathsWithDots() {
        assertTrue(ShardMapping.keptBy("meta.title", new String[] { "meta" }, NONE));
        assertTrue(ShardMapping.keptBy("meta.title", new String[] { "meta.*" }, NONE));
        assertFalse(ShardMapping.keptBy("meta.title", NONE, new String[] { "meta" }));
        assertFalse(ShardMapping.keptBy("meta.title", NONE, new String[] { "meta.title" }));
        assertTrue(ShardMapping.keptBy("meta.title", NONE, new String[] { "meta.body" }));
    }

    @Test
    public void testNoSourceMapperMeansNoFilter() {
        String[][] filter = ShardMapping.sourceFilter(null);
        assertArrayEquals(NONE, filter[0]);
        assertArrayEquals(NONE, filter[1]);
    }
}
