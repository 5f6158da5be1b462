package org.shardrerank.rescore;

import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.test.EqualsHashCodeTestUtils;
import org.opensearch.test.OpenSearchTestCase;
import org.shardrerank.inference.Pooling;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

public class CrossEncoderRescorerBuilderTests extends OpenSearchTestCase {

    static CrossEncoderRescorerBuilder randomBuilder() {
        CrossEncoderRescorerBuilder b = new CrossEncoderRescorerBuilder(null)
            .model(randomAlphaOfLengthBetween(1, 10).toLowerCase(java.util.Locale.ROOT))
            .queryText(randomRealisticUnicodeOfLengthBetween(1, 30) + "q")
            .fields(randomList(1, 3, () -> randomAlphaOfLengthBetween(1, 8)));
        if (randomBoolean()) {
            b.maxLength(randomIntBetween(8, 512));
        }
        if (randomBoolean()) {
            b.stride(randomIntBetween(0, 64));
        }
        b.maxChunks(randomIntBetween(1, 64));
        b.pooling(randomFrom(Pooling.values()));
        b.scoreMode(randomFrom(ScoreMode.values()));
        if (b.scoreMode() == ScoreMode.COMBINE) {
            b.firstStageScale(randomFloat() + 0.01f);
        }
        b.ignoreUnmapped(randomBoolean());
        if (b.scoreMode() == ScoreMode.COMBINE && randomBoolean()) {
            b.firstStageWeight(randomFloat());
            b.rerankWeight(randomFloat() + 0.5f);
        }
        if (randomBoolean()) {
            b.minScore(randomFloat());
        }
        if (randomBoolean()) {
            b.batchSize(randomIntBetween(1, 1024));
        }
        if (randomBoolean()) {
            b.timeout(TimeValue.timeValueMillis(randomIntBetween(1, 100_000)));
        }
        b.onTimeout(randomFrom(OnTimeout.values()));
        if (randomBoolean()) {
            b.windowSize(randomIntBetween(1, 1000));
        }
        return b;
    }

    static CrossEncoderRescorerBuilder parse(String json) throws IOException {
        try (XContentParser p = JsonXContent.jsonXContent.createParser(NamedXContentRegistry.EMPTY, DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
            p.nextToken();
            return CrossEncoderRescorerBuilder.fromXContent(p, null);
        }
    }

    /** The body of the cross_encoder object, as toXContent writes it. */
    private static String body(CrossEncoderRescorerBuilder b) throws IOException {
        XContentBuilder x = JsonXContent.contentBuilder();
        b.toXContent(x, ToXContent.EMPTY_PARAMS);
        String json = BytesReference.bytes(x).utf8ToString();
        try (XContentParser p = JsonXContent.jsonXContent.createParser(NamedXContentRegistry.EMPTY, DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
            var map = p.map();
            XContentBuilder inner = JsonXContent.contentBuilder().map((java.util.Map<String, Object>) map.get("cross_encoder"));
            return BytesReference.bytes(inner).utf8ToString();
        }
    }

    public void testXContentRoundTrip() throws IOException {
        for (int i = 0; i < 50; i++) {
            CrossEncoderRescorerBuilder original = randomBuilder();
            CrossEncoderRescorerBuilder parsed = parse(body(original));
            if (original.windowSize() != null) {
                parsed.windowSize(original.windowSize());
            }
            assertEquals(original, parsed);
            assertEquals(original.hashCode(), parsed.hashCode());
        }
    }

    public void testStreamRoundTrip() throws IOException {
        for (int i = 0; i < 50; i++) {
            CrossEncoderRescorerBuilder original = randomBuilder();
            try (BytesStreamOutput out = new BytesStreamOutput()) {
                original.writeTo(out);
                CrossEncoderRescorerBuilder read = new CrossEncoderRescorerBuilder(out.bytes().streamInput(), null);
                assertEquals(original, read);
            }
        }
    }

    public void testEqualsAndHashCode() {
        EqualsHashCodeTestUtils.checkEqualsAndHashCode(randomBuilder(), b -> {
            try (BytesStreamOutput out = new BytesStreamOutput()) {
                b.writeTo(out);
                return new CrossEncoderRescorerBuilder(out.bytes().streamInput(), null);
            }
        }, b -> {
            try (BytesStreamOutput out = new BytesStreamOutput()) {
                b.writeTo(out);
                CrossEncoderRescorerBuilder copy = new CrossEncoderRescorerBuilder(out.bytes().streamInput(), null);
                return switch (randomIntBetween(0, 3)) {
                    case 0 -> copy.model(b.model() + "x");
                    case 1 -> copy.queryText(b.queryText() + " more");
                    case 2 -> copy.fields(List.of("other"));
                    default -> copy.maxChunks(b.maxChunks() == 1 ? 2 : 1);
                };
            }
        });
    }

    public void testDefaults() throws IOException {
        CrossEncoderRescorerBuilder b = parse("{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"title\",\"text\"]}");
        assertEquals(List.of("title", "text"), b.fields());
        assertEquals(ScoreMode.REPLACE, b.scoreMode());
        assertEquals(Pooling.MAX, b.pooling());
        assertEquals(OnTimeout.KEEP_FIRST_STAGE, b.onTimeout());
        assertEquals(8, b.maxChunks());
        assertNull(b.maxLength());
        assertNull(b.batchSize());
        assertNull(b.minScore());
    }

    public void testValidationMessagesNameTheField() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] { "{\"query_text\":\"q\",\"fields\":[\"t\"]}", "[cross_encoder] requires [model]" });
        cases.add(new String[] { "{\"model\":\"m\",\"fields\":[\"t\"]}", "[cross_encoder] requires a non-empty [query_text]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"  \",\"fields\":[\"t\"]}", "[cross_encoder] requires a non-empty [query_text]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\"}", "[cross_encoder] requires at least one field in [fields]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[]}", "[cross_encoder] requires at least one field in [fields]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"\"]}", "[cross_encoder] [fields] cannot contain an empty field name" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"max_length\":4}", "[cross_encoder] [max_length] must be at least 8, got [4]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"stride\":-1}", "[cross_encoder] [stride] must be >= 0, got [-1]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"max_chunks\":0}", "[cross_encoder] [max_chunks] must be in [1, 64], got [0]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"batch_size\":0}", "[cross_encoder] [batch_size] must be in [1, 1024], got [0]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"rerank_weight\":2}",
            "[cross_encoder] [first_stage_weight], [rerank_weight] and [first_stage_scale] apply to [score_mode] [combine] only" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"score_mode\":\"combine\"}",
            "[cross_encoder] [score_mode] [combine] requires [first_stage_scale]: the first-stage score that counts as half, the same on every "
                + "shard (e.g. 0.0164 = 1/(60+1) for hybrid_rrf, a typical top score for match)" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"score_mode\":\"combine\",\"first_stage_scale\":0}",
            "[cross_encoder] [first_stage_scale] must be a finite number > 0, got [0.0]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"score_mode\":\"combine\",\"first_stage_scale\":1,\"rerank_weight\":-1}",
            "[cross_encoder] [rerank_weight] must be a finite number >= 0, got [-1.0]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"score_mode\":\"combine\",\"first_stage_scale\":1,\"rerank_weight\":0,\"first_stage_weight\":0}",
            "[cross_encoder] [first_stage_weight] and [rerank_weight] cannot both be 0" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"timeout\":\"0ms\"}", "[cross_encoder] [timeout] must be positive, got [0ms]" });
        for (String[] c : cases) {
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> parse(c[0]));
            assertEquals(c[0], c[1], e.getMessage());
        }
    }

    public void testUnknownOptionsAndBadEnumsAreRejected() {
        Exception e = expectThrows(Exception.class, () -> parse("{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"temperature\":1}"));
        assertTrue(e.getMessage(), e.getMessage().contains("[cross_encoder] unknown field [temperature]"));
        e = expectThrows(Exception.class, () -> parse("{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"score_mode\":\"multiply\"}"));
        assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("[score_mode] must be one of [replace, combine], got [multiply]"));
        e = expectThrows(Exception.class, () -> parse("{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"pooling\":\"sum\"}"));
        assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("[pooling] must be one of [max, mean, first], got [sum]"));
    }
}
