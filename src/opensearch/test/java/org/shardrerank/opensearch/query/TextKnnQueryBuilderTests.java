package org.shardrerank.opensearch.query;

import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.xcontent.LoggingDeprecationHandler;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.NamedWriteableAwareStreamInput;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.BaseQueryRewriteContext;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.Rewriteable;
import org.opensearch.index.query.TermQueryBuilder;
import org.opensearch.action.support.PlainActionFuture;
import org.opensearch.test.OpenSearchTestCase;
import org.shardrerank.EmbeddingFixture;
import org.shardrerank.stats.StatName;

import java.io.IOException;

public class TextKnnQueryBuilderTests extends OpenSearchTestCase {

    private static QueryBuilder parse(EmbeddingFixture f, String json) throws IOException {
        try (XContentParser p = JsonXContent.jsonXContent.createParser(f.xContent, LoggingDeprecationHandler.INSTANCE, json)) {
            p.nextToken();
            return AbstractQueryBuilder.parseInnerQueryBuilder(p);
        }
    }

    private static TextKnnQueryBuilder random(EmbeddingFixture f) {
        TextKnnQueryBuilder b = new TextKnnQueryBuilder(f.embeddings).field(randomAlphaOfLength(5)).queryText(randomAlphaOfLengthBetween(1, 30))
            .model(randomFrom("all-minilm-l6-v2", "bge-small-en-v1.5")).k(randomIntBetween(1, 10_000));
        if (randomBoolean()) {
            b.filter(QueryBuilders.rangeQuery("year").gte(randomIntBetween(1990, 2030)));
        }
        if (randomBoolean()) {
            b.boost(randomFloat() * 3);
        }
        if (randomBoolean()) {
            b.queryName(randomAlphaOfLength(4));
        }
        return b;
    }

    public void testXContentAndWireRoundTrips() throws IOException {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            for (int i = 0; i < 20; i++) {
                TextKnnQueryBuilder b = random(f);
                assertEquals(b, parse(f, b.toString()));
                try (BytesStreamOutput out = new BytesStreamOutput()) {
                    out.writeNamedWriteable(b);
                    try (StreamInput in = new NamedWriteableAwareStreamInput(out.bytes().streamInput(), f.writeables)) {
                        QueryBuilder read = in.readNamedWriteable(QueryBuilder.class);
                        assertEquals(b, read);
                        assertEquals(b.hashCode(), read.hashCode());
                    }
                }
            }
        }
    }

    public void testValidationMessages() throws IOException {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            String ok = "{\"text_knn\":{\"field\":\"vec\",\"query_text\":\"goldfish\",\"model\":\"all-minilm-l6-v2\",\"k\":5}}";
            assertNotNull(parse(f, ok));
            String[][] cases = {
                { ok.replace("\"field\":\"vec\",", ""), "[text_knn] requires [field], the knn_vector field to search" },
                { ok.replace("\"goldfish\"", "\" \""), "[text_knn] requires a non-empty [query_text]" },
                { ok.replace("all-minilm-l6-v2", "../x"), "[text_knn] requires [model], a text_embedding model of this cluster, got [../x]" },
                { ok.replace("\"k\":5", "\"k\":10001"), "[text_knn] [k] must be in [1, 10000], got [10001]" },
                { ok.replace("\"k\":5", "\"k\":5,\"vector\":[1]"), "[text_knn] unknown field [vector]" } };
            for (String[] c : cases) {
                ParsingException e = expectThrows(ParsingException.class, () -> parse(f, c[0]));
                assertTrue(e.getMessage() + " should contain " + c[1], e.getMessage().contains(c[1]));
            }
        }
    }

    private static QueryBuilder rewrite(EmbeddingFixture f, QueryBuilder q) throws Exception {
        QueryRewriteContext ctx = new BaseQueryRewriteContext(f.xContent, f.writeables, null, System::currentTimeMillis);
        PlainActionFuture<QueryBuilder> future = new PlainActionFuture<>();
        Rewriteable.rewriteAndFetch(q, ctx, future);
        return future.actionGet(30_000);
    }

    public void testRewriteEmbedsOnceAndBecomesKnn() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(true)) {
            QueryBuilder q = QueryBuilders.boolQuery()
                .should(new TextKnnQueryBuilder(f.embeddings).field("vec").queryText("do goldfish grow").model("all-minilm-l6-v2").k(7)
                    .filter(QueryBuilders.termQuery("year", 2001)).boost(2f).queryName("semantic"))
                .should(QueryBuilders.matchQuery("text", "goldfish"));
            QueryBuilder rewritten = rewrite(f, q);
            assertEquals(1, f.stats.get(StatName.EMBEDDING_REQUESTS));
            TermQueryBuilder knn = (TermQueryBuilder) ((org.opensearch.index.query.BoolQueryBuilder) rewritten).should().get(0);
            String json = knn.value().toString();
            assertTrue(json, json.startsWith("{vec={vector=["));
            assertTrue(json, json.contains("k=7, filter={term={year={value=2001, boost=1.0}}}, boost=2.0, _name=semantic}"));
            // the same text again: from the cache, no second model run
            rewrite(f, q);
            assertEquals(1, f.stats.get(StatName.EMBEDDING_REQUESTS));
            assertEquals(1, f.stats.get(StatName.QUERY_VECTOR_CACHE_HITS));
        }
    }

    public void testClearErrorsWithoutKnnOrWithAWrongModel() throws Exception {
        try (EmbeddingFixture f = new EmbeddingFixture(false)) {
            TextKnnQueryBuilder q = new TextKnnQueryBuilder(f.embeddings).field("vec").queryText("goldfish").model("all-minilm-l6-v2");
            Exception e = expectThrows(Exception.class, () -> rewrite(f, q));
            assertTrue(e.toString(), e.getMessage().contains("[text_knn] needs the k-NN plugin: the [knn] query is not registered on this node"));
            Exception wrong = expectThrows(Exception.class, () -> rewrite(f, q.model("overlap-logit")));
            assertTrue(wrong.toString(), wrong.getMessage().contains("model [overlap-logit] is a [cross_encoder] model"));
        }
    }
}
