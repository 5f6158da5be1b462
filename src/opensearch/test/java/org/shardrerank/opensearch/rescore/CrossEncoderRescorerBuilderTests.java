package org.shardrerank.opensearch.rescore;

import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.test.EqualsHashCodeTestUtils;
import org.opensearch.test.OpenSearchTestCase;
import org.shardrerank.rescore.RandomRequests;

import java.io.IOException;

public class CrossEncoderRescorerBuilderTests extends OpenSearchTestCase {

    CrossEncoderRescorerBuilder randomBuilder() {
        CrossEncoderRescorerBuilder b = new CrossEncoderRescorerBuilder(RandomRequests.crossEncoder(random()), null);
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
            CrossEncoderRescorerBuilder other = new CrossEncoderRescorerBuilder(RandomRequests.crossEncoder(random()), null);
            if (b.windowSize() != null) {
                other.windowSize(b.windowSize());
            }
            return other;
        });
    }

    /** The rescore section's own parser hands the object over; errors keep the core's message. */
    public void testErrorsKeepTheCoreMessage() {
        Exception e = expectThrows(IllegalArgumentException.class,
            () -> parse("{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"temperature\":1}"));
        assertEquals("[cross_encoder] unknown field [temperature]", e.getMessage());
    }
}
