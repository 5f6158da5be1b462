package org.shardrerank.query;

import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.index.RandomIndexWriter;
import org.apache.lucene.tests.search.CheckHits;
import org.apache.lucene.tests.search.QueryUtils;
import org.shardrerank.fusion.FusedRanking;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

public class HybridRrfQueryTests extends LuceneTestCase {
    private static final String[] WORDS = { "a", "b", "c", "d", "e" };

    private Directory dir;
    private DirectoryReader reader;
    private IndexSearcher searcher;

    @Override
    public void setUp() throws Exception {
        super.setUp();
        dir = newDirectory();
        try (RandomIndexWriter w = new RandomIndexWriter(random(), dir)) {
            int docs = TestUtil.nextInt(random(), 50, 300);
            for (int i = 0; i < docs; i++) {
                StringBuilder body = new StringBuilder();
                for (String word : WORDS) {
                    body.append((word + " ").repeat(TestUtil.nextInt(random(), 0, 4)));
                }
                body.append("z ".repeat(TestUtil.nextInt(random(), 0, 6)));
                Document d = new Document();
                d.add(new StringField("id", Integer.toString(i), Field.Store.NO));
                d.add(new TextField("body", body.toString(), Field.Store.NO));
                w.addDocument(d);
                if (rarely()) {
                    w.commit();
                }
            }
            for (int i = 0; i < docs / 10; i++) {
                w.deleteDocuments(new Term("id", Integer.toString(TestUtil.nextInt(random(), 0, docs - 1))));
            }
            reader = w.getReader();
        }
        searcher = newSearcher(reader);
    }

    @Override
    public void tearDown() throws Exception {
        reader.close();
        dir.close();
        super.tearDown();
    }

    private static Query term(String word) {
        return new TermQuery(new Term("body", word));
    }

    private static Query either(String w1, String w2) {
        return new BooleanQuery.Builder().add(term(w1), Occur.SHOULD).add(term(w2), Occur.SHOULD).build();
    }

    /** The hits, checked against an RRF computed here from the sub-queries run alone on the same searcher. */
    public void testFusesTheSubQueriesTopWindows() throws IOException {
        for (int iter = 0; iter < 10; iter++) {
            List<Query> subs = List.of(term(RandomPicks.randomFrom(random(), WORDS)), either(RandomPicks.randomFrom(random(), WORDS), "z"), term(RandomPicks.randomFrom(random(), WORDS)));
            subs = subs.subList(0, TestUtil.nextInt(random(), 2, 3));
            float[] weights = new float[subs.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = random().nextBoolean() ? 1f : TestUtil.nextInt(random(), 1, 8) / 4f;
            }
            int k = TestUtil.nextInt(random(), 1, 100);
            int window = TestUtil.nextInt(random(), 1, 60);
            Map<Integer, Double> expected = new HashMap<>();
            for (int i = 0; i < subs.size(); i++) {
                ScoreDoc[] hits = searcher.search(subs.get(i), window).scoreDocs;
                for (int r = 0; r < hits.length; r++) {
                    expected.merge(hits[r].doc, weights[i] / (double) (k + r + 1), Double::sum);
                }
            }
            HybridRrfQuery query = new HybridRrfQuery(subs, weights, k, window);
            TopDocs top = searcher.search(query, 1000);
            assertEquals(expected.size(), top.totalHits.value());
            assertEquals(expected.size(), searcher.count(query));
            for (int i = 0; i < top.scoreDocs.length; i++) {
                ScoreDoc hit = top.scoreDocs[i];
                assertEquals(expected.get(hit.doc), hit.score, 1e-6 * hit.score);
                if (i > 0) {
                    assertTrue(hit.score < top.scoreDocs[i - 1].score);
                    assertTrue(expected.get(hit.doc) <= expected.get(top.scoreDocs[i - 1].doc));
                }
            }
            ScoreDoc[] fused = query.ranking(searcher).ranked();
            assertArrayEquals("the collector keeps the fusion's order, tie-break included", ids(fused), ids(top.scoreDocs));
        }
    }

    private static int[] ids(ScoreDoc[] hits) {
        return Arrays.stream(hits).mapToInt(h -> h.doc).toArray();
    }


    public void testSizeAboveTheFusedSet() throws IOException {
        HybridRrfQuery query = new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 60, 2);
        TopDocs top = searcher.search(query, 10);
        assertTrue(top.scoreDocs.length <= 4);
        assertEquals(top.scoreDocs.length, top.totalHits.value());
    }


    public void testEmptySubResult() throws IOException {
        HybridRrfQuery query = new HybridRrfQuery(List.of(term("nowhere"), term("a")), new float[] { 1, 1 }, 60, 20);
        ScoreDoc[] alone = searcher.search(term("a"), 20).scoreDocs;
        ScoreDoc[] fused = searcher.search(query, 100).scoreDocs;
        assertArrayEquals(ids(alone), ids(fused));
        for (int r = 0; r < fused.length; r++) {
            assertEquals((float) (1.0 / (60 + r + 1)), fused[r].score, 0f);
        }
        assertEquals(0, searcher.count(new HybridRrfQuery(List.of(term("nowhere"), term("nor-here")), new float[] { 1, 1 }, 60, 20)));
    }


    public void testBoostScalesScores() throws IOException {
        HybridRrfQuery query = new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 60, 10);
        ScoreDoc[] plain = searcher.search(query, 30).scoreDocs;
        ScoreDoc[] boosted = searcher.search(new BoostQuery(query, 3f), 30).scoreDocs;
        assertArrayEquals(ids(plain), ids(boosted));
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i].score * 3f, boosted[i].score, 0f);
        }
    }


    public void testExplainGivesRanksAndTheServedScore() throws IOException {
        HybridRrfQuery query = new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 2 }, 60, 10);
        ScoreDoc[] aHits = searcher.search(term("a"), 10).scoreDocs;
        for (ScoreDoc hit : searcher.search(query, 30).scoreDocs) {
            Explanation e = searcher.explain(query, hit.doc);
            assertTrue(e.isMatch());
            assertEquals(hit.score, e.getValue().floatValue(), 0f);
            int rankInA = Arrays.stream(ids(aHits)).boxed().toList().indexOf(hit.doc) + 1;
            Explanation first = e.getDetails()[0];
            if (rankInA == 0) {
                assertFalse(first.isMatch());
                assertTrue(first.getDescription(), first.getDescription().contains("not in its top 10"));
            } else {
                assertTrue(first.getDescription(), first.getDescription().contains("rank " + rankInA + ","));
                assertEquals(aHits[rankInA - 1].score, first.getDetails()[3].getValue().floatValue(), 0f);
            }
        }
    }

    /**
     * Lucene's checks that hold for a query whose matches depend on the whole reader: equals/hashCode,
     * explanations that add up (deep), bulk scoring with skips, count, top scores. (QueryUtils.check and
     * checkSkipTo also search single segments on their own, where a top-N over the shard rightly matches others.)
     */
    public void testLuceneQueryChecks() throws IOException {
        HybridRrfQuery query = new HybridRrfQuery(List.of(term("a"), either("b", "c")), new float[] { 1, 0.5f }, 10, 15);
        QueryUtils.check(query);
        QueryUtils.checkBulkScorerSkipTo(random(), query, searcher);
        QueryUtils.checkCount(query, searcher);
        CheckHits.checkExplanations(query, "body", searcher, true);
        CheckHits.checkTopScores(random(), query, searcher);
    }

    /** advance(target) lands on the first fused document at or after target, in every segment. */
    public void testAdvance() throws IOException {
        HybridRrfQuery query = new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 60, 30);
        Weight weight = searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE, 1f);
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            Scorer all = weight.scorer(leaf);
            if (all == null) {
                continue;
            }
            List<Integer> docs = new ArrayList<>();
            for (int d = all.iterator().nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = all.iterator().nextDoc()) {
                docs.add(d);
            }
            DocIdSetIterator it = weight.scorer(leaf).iterator();
            int target = 0;
            while (true) {
                target += TestUtil.nextInt(random(), 0, 10);
                int t = target;
                int expected = docs.stream().filter(d -> d >= t).findFirst().orElse(DocIdSetIterator.NO_MORE_DOCS);
                int got = it.advance(target);
                assertEquals(expected, got);
                if (got == DocIdSetIterator.NO_MORE_DOCS) {
                    break;
                }
                target = got + 1;
            }
        }
    }


    public void testFusesOncePerSearcher() throws IOException {
        HybridRrfQuery query = new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 60, 10);
        FusedRanking first = query.ranking(searcher);
        assertSame(first, query.ranking(searcher));
        assertNotSame(first, query.ranking(newSearcher(reader)));
    }


    public void testEqualsAndVisit() {
        HybridRrfQuery q = new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 60, 10);
        assertEquals(q, new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 60, 10));
        assertEquals(q.hashCode(), new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 60, 10).hashCode());
        assertNotEquals(q, new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 2 }, 60, 10));
        assertNotEquals(q, new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 61, 10));
        assertNotEquals(q, new HybridRrfQuery(List.of(term("a"), term("b")), new float[] { 1, 1 }, 60, 11));
        assertNotEquals(q, new HybridRrfQuery(List.of(term("b"), term("a")), new float[] { 1, 1 }, 60, 10));
        Set<Term> terms = new HashSet<>();
        q.visit(QueryVisitor.termCollector(terms));
        assertEquals(Set.of(new Term("body", "a"), new Term("body", "b")), terms);
    }
}
