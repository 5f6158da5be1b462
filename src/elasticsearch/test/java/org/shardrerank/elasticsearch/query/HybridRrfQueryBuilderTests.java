package org.shardrerank.elasticsearch.query;

import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.TermQuery;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.BoolQueryBuilder;
import org.elasticsearch.index.query.MatchQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.RangeQueryBuilder;
import org.elasticsearch.index.query.TermQueryBuilder;
import org.elasticsearch.search.SearchModule;
import org.elasticsearch.search.vectors.KnnVectorQueryBuilder;
import org.elasticsearch.xcontent.XContentParseException;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.TestModels;
import org.shardrerank.elasticsearch.EmbeddingFixture;
import org.shardrerank.elasticsearch.ShardRerankPlugin;
import org.shardrerank.query.HybridRrfQuery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.hamcrest.CoreMatchers.containsString;

public class HybridRrfQueryBuilderTests extends CoreTestCase {
    private static EmbeddingFixture fixture;

    @BeforeClass
    public static void startFixture() {
        fixture = new EmbeddingFixture();
    }

    @AfterClass
    public static void stopFixture() {
        fixture.close();
    }

    private static final String TWO = "{\"match\":{\"text\":\"goldfish\"}},"
        + "{\"knn\":{\"field\":\"vec\",\"query_vector\":[1,0,0.5],\"k\":10,\"num_candidates\":50}}";

    private static QueryBuilder parse(String json) throws IOException {
        try (XContentParser p = fixture.parser(json)) {
            return AbstractQueryBuilder.parseTopLevelQuery(p);
        }
    }

    private static String invalid(String body) {
        return expectThrows(IllegalArgumentException.class, () -> parse("{\"hybrid_rrf\":{" + body + "}}")).getMessage();
    }

    private QueryBuilder randomSubQuery() {
        QueryBuilder q = switch (randomIntBetween(0, 5)) {
            case 0 -> new TermQueryBuilder("keyword", randomAlphaOfLengthBetween(1, 8));
            case 1 -> new MatchQueryBuilder("text", randomAlphaOfLengthBetween(1, 8) + " " + randomAlphaOfLengthBetween(1, 8));
            case 2 -> new RangeQueryBuilder("year").from(randomIntBetween(0, 5)).to(randomIntBetween(6, 10));
            case 3 -> new BoolQueryBuilder().should(new TermQueryBuilder("keyword", randomAlphaOfLengthBetween(1, 3)))
                .should(new MatchQueryBuilder("text", randomAlphaOfLengthBetween(1, 3)));
            case 4 -> {
                float[] v = new float[3];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random().nextFloat();
                }
                int k = randomIntBetween(1, 20);
                KnnVectorQueryBuilder knn = new KnnVectorQueryBuilder("vec", v, k, k + randomIntBetween(0, 50), null, null, null);
                yield randomBoolean() ? knn.addFilterQuery(new TermQueryBuilder("keyword", "f")) : knn;
            }
            default -> new KnnVectorQueryBuilder("vec", new TextVectorsQueryVectorBuilder(fixture.embeddings, "all-minilm-l6-v2",
                randomAlphaOfLengthBetween(1, 8)), 10, 50, null, null);
        };
        return randomBoolean() ? q.queryName(randomAlphaOfLengthBetween(3, 8)) : q;
    }

    private List<Float> randomWeights(int n) {
        List<Float> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            w.add(randomIntBetween(1, 40) / 8f);
        }
        return w;
    }

    private HybridRrfQueryBuilder randomBuilder() {
        HybridRrfQueryBuilder b = new HybridRrfQueryBuilder(randomList(2, 4, this::randomSubQuery));
        if (randomBoolean()) {
            b.weights(randomWeights(b.queries().size()));
        }
        if (randomBoolean()) {
            b.rankConstant(randomIntBetween(1, 200));
        }
        if (randomBoolean()) {
            b.windowSize(randomIntBetween(1, 1000));
        }
        if (randomBoolean()) {
            b.filterQuery(new TermQueryBuilder("keyword", randomAlphaOfLengthBetween(1, 4)));
        }
        if (randomBoolean()) {
            b.boost(randomIntBetween(1, 8) / 2f);
        }
        if (randomBoolean()) {
            b.queryName(randomAlphaOfLengthBetween(3, 8));
        }
        return b;
    }

    @Test
    public void testParsesTheDocumentedExample() throws IOException {
        HybridRrfQueryBuilder b = (HybridRrfQueryBuilder) parse("{\"hybrid_rrf\":{\"queries\":[" + TWO
            + "],\"weights\":[1,0.5],\"rank_constant\":20,\"window_size\":50,\"filter\":{\"term\":{\"keyword\":\"x\"}},\"_name\":\"h\","
            + "\"boost\":2}}");
        assertEquals(2, b.queries().size());
        assertEquals(new MatchQueryBuilder("text", "goldfish"), b.queries().get(0));
        KnnVectorQueryBuilder knn = (KnnVectorQueryBuilder) b.queries().get(1);
        assertEquals("vec", knn.getFieldName());
        assertArrayEquals(new float[] { 1, 0, 0.5f }, knn.queryVector().asFloatVector(), 0f);
        assertEquals(Integer.valueOf(10), knn.k());
        assertEquals(Integer.valueOf(50), knn.numCands());
        assertEquals(List.of(1f, 0.5f), b.weights());
        assertEquals(20, b.rankConstant());
        assertEquals(50, b.windowSize());
        assertEquals(new TermQueryBuilder("keyword", "x"), b.filterQuery());
        assertEquals("h", b.queryName());
        assertEquals(2f, b.boost(), 0f);

        HybridRrfQueryBuilder defaults = (HybridRrfQueryBuilder) parse("{\"hybrid_rrf\":{\"queries\":[" + TWO + "]}}");
        assertNull(defaults.weights());
        assertEquals(60, defaults.rankConstant());
        assertEquals(100, defaults.windowSize());
        assertNull(defaults.filterQuery());
    }

    @Test
    public void testXContentAndWireRoundTrips() throws IOException {
        for (int i = 0; i < 50; i++) {
            HybridRrfQueryBuilder b = randomBuilder();
            String json = Strings.toString(b);
            QueryBuilder parsed = parse(json);
            assertEquals(json, b, parsed);
            assertEquals(json, b.hashCode(), parsed.hashCode());
            assertEquals(json, Strings.toString(parsed));

            QueryBuilder read = fixture.wireCopy(b, QueryBuilder.class);
            assertEquals(json, b, read);
            assertEquals(json, b.hashCode(), read.hashCode());
            assertEquals(json, Strings.toString(read));
        }
    }

    @Test
    public void testEveryOptionTakesPartInEquals() throws IOException {
        HybridRrfQueryBuilder b = randomBuilder();
        List<HybridRrfQueryBuilder> mutants = new ArrayList<>();
        List<QueryBuilder> more = new ArrayList<>(b.queries());
        more.add(new TermQueryBuilder("keyword", "more"));
        mutants.add(copy(b).queries(more).weights(null));
        mutants.add(copy(b).weights(b.weights() == null ? randomWeights(b.queries().size()) : null));
        mutants.add(copy(b).rankConstant(b.rankConstant() + 1));
        mutants.add(copy(b).windowSize(b.windowSize() + 1));
        mutants.add(copy(b).filterQuery(b.filterQuery() == null ? new TermQueryBuilder("keyword", "f") : null));
        mutants.add(copy(b).boost(b.boost() + 1));
        mutants.add(copy(b).queryName(b.queryName() == null ? "n" : b.queryName() + "x"));
        assertEquals(b, copy(b));
        for (HybridRrfQueryBuilder m : mutants) {
            assertNotEquals(Strings.toString(m), b, m);
        }
    }

    private static HybridRrfQueryBuilder copy(HybridRrfQueryBuilder b) throws IOException {
        return (HybridRrfQueryBuilder) fixture.wireCopy(b, QueryBuilder.class);
    }

    @Test
    public void testValidationMessages() {
        assertEquals("[hybrid_rrf] requires at least 2 queries in [queries], got [0]", invalid("\"window_size\":10"));
        assertEquals("[hybrid_rrf] requires at least 2 queries in [queries], got [1]", invalid("\"queries\":[{\"term\":{\"text\":\"a\"}}]"));
        assertEquals("[hybrid_rrf] [rank_constant] must be >= 1, got [0]", invalid("\"queries\":[" + TWO + "],\"rank_constant\":0"));
        assertEquals("[hybrid_rrf] [window_size] must be >= 1, got [-3]", invalid("\"queries\":[" + TWO + "],\"window_size\":-3"));
        assertEquals("[hybrid_rrf] [weights] needs one weight per query: got [3] weights for [2] queries",
            invalid("\"queries\":[" + TWO + "],\"weights\":[1,2,3]"));
        assertEquals("[hybrid_rrf] [weights] must be finite numbers > 0, got [-1.0] at position [1]",
            invalid("\"queries\":[" + TWO + "],\"weights\":[1,-1]"));
        assertEquals("[hybrid_rrf] [weights] must be finite numbers > 0, got [0.0] at position [0]",
            invalid("\"queries\":[" + TWO + "],\"weights\":[0,1]"));
        assertEquals("[hybrid_rrf] [weights] must be finite numbers > 0, got [NaN] at position [0]",
            invalid("\"queries\":[" + TWO + "],\"weights\":[\"NaN\",1]"));
        assertEquals("[hybrid_rrf] [weights] must be finite numbers > 0, got [Infinity] at position [1]",
            invalid("\"queries\":[" + TWO + "],\"weights\":[1,\"Infinity\"]"));
        String nested = "{\"hybrid_rrf\":{\"queries\":[" + TWO + "]}}";
        assertEquals("[hybrid_rrf] cannot contain another [hybrid_rrf] query", invalid("\"queries\":[" + TWO + "," + nested + "]"));
        assertEquals("[hybrid_rrf] cannot contain another [hybrid_rrf] query", invalid("\"queries\":[" + TWO + "],\"filter\":" + nested));
    }

    @Test
    public void testUnknownFieldIsNamed() {
        XContentParseException e = expectThrows(XContentParseException.class,
            () -> parse("{\"hybrid_rrf\":{\"queries\":[" + TWO + "],\"rank_constnt\":3}}"));
        assertThat(e.getMessage(), containsString("[hybrid_rrf] unknown field [rank_constnt]"));
    }

    @Test
    public void testJavaApiBuilderIsValidatedToo() {
        HybridRrfQueryBuilder one = new HybridRrfQueryBuilder(List.of(new TermQueryBuilder("text", "a")));
        assertEquals("[hybrid_rrf] requires at least 2 queries in [queries], got [1]",
            expectThrows(IllegalArgumentException.class, one::validate).getMessage());
    }

    /** Deeper than a direct sub-query, a nested hybrid_rrf is found in the Lucene query the shard builds. */
    @Test
    public void testNestedHybridIsFoundInTheLuceneQuery() {
        TermQuery a = new TermQuery(new Term("text", "a"));
        HybridRrfQuery inner = new HybridRrfQuery(List.of(a, a), new float[] { 1, 1 }, 60, 10);
        assertTrue(SubQueries.containsHybrid(inner));
        assertTrue(SubQueries.containsHybrid(new BooleanQuery.Builder().add(a, Occur.MUST).add(new BoostQuery(inner, 2), Occur.SHOULD).build()));
        assertFalse(SubQueries.containsHybrid(new BooleanQuery.Builder().add(a, Occur.MUST).add(a, Occur.FILTER).build()));
    }

    @Test
    public void testFilterGoesInsideACopyOfKnn() throws IOException {
        TermQueryBuilder own = new TermQueryBuilder("keyword", "own");
        TermQueryBuilder ours = new TermQueryBuilder("keyword", "ours");
        KnnVectorQueryBuilder knn = (KnnVectorQueryBuilder) new KnnVectorQueryBuilder("vec", new float[] { 1, 2, 3 }, 5, 20, null, null, 0.5f)
            .addFilterQuery(own).boost(3).queryName("v");
        KnnVectorQueryBuilder filtered = SubQueries.withFilter(knn, ours, fixture.writeables);
        assertEquals(List.of(own, ours), filtered.filterQueries());
        assertEquals(List.of(own), knn.filterQueries());
        assertEquals(knn, ((KnnVectorQueryBuilder) copyOf(filtered)).setFilterQueries(List.of(own)));
    }

    private static QueryBuilder copyOf(QueryBuilder q) throws IOException {
        return fixture.wireCopy(q, QueryBuilder.class);
    }

    /** The plugin itself registers the query and the query vector builder the tests use. */
    @Test
    public void testPluginRegistersQueryAndQueryVectorBuilder() throws IOException {
        Settings settings = Settings.builder().put("plugins.shard_rerank.models.path", TestModels.root().toString()).build();
        SearchModule module = new SearchModule(Settings.EMPTY, List.of(new ShardRerankPlugin(settings, createTempDir())));
        String json = "{\"hybrid_rrf\":{\"queries\":[{\"match\":{\"text\":\"goldfish\"}},{\"knn\":{\"field\":\"vec\",\"k\":10,"
            + "\"num_candidates\":50,\"query_vector_builder\":{\"text_vectors\":{\"model\":\"all-minilm-l6-v2\",\"query_text\":\"koi\"}}}}]}}";
        try (XContentParser p = JsonXContent.jsonXContent.createParser(
            XContentParserConfiguration.EMPTY.withRegistry(new org.elasticsearch.xcontent.NamedXContentRegistry(module.getNamedXContents())), json)) {
            HybridRrfQueryBuilder b = (HybridRrfQueryBuilder) AbstractQueryBuilder.parseTopLevelQuery(p);
            KnnVectorQueryBuilder knn = (KnnVectorQueryBuilder) b.queries().get(1);
            assertEquals(new TextVectorsQueryVectorBuilder(null, "all-minilm-l6-v2", "koi"), knn.queryVectorBuilder());
        }
    }
}
