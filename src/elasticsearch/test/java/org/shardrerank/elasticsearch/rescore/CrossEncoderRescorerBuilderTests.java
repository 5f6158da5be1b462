package org.shardrerank.elasticsearch.rescore;

import org.elasticsearch.common.Strings;
import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.NamedWriteableAwareStreamInput;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.search.SearchModule;
import org.elasticsearch.search.rescore.RescorerBuilder;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.junit.Before;
import org.junit.Test;
import org.shardrerank.elasticsearch.EsTestCase;
import org.shardrerank.elasticsearch.ShardRerankPlugin;
import org.shardrerank.rescore.CrossEncoderRequest;
import org.shardrerank.rescore.RandomRequests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The builder through Elasticsearch's own registries, as a node builds them from the plugin: the rescore section's parser
 * and the named-writeable wire format.
 */
public class CrossEncoderRescorerBuilderTests extends EsTestCase {
    private NamedWriteableRegistry writeables;
    private NamedXContentRegistry xContents;

    @Before
    public void registries() {
        SearchModule module = new SearchModule(Settings.EMPTY, List.of(new ShardRerankPlugin(Settings.EMPTY, createTempDir())));
        writeables = new NamedWriteableRegistry(module.getNamedWriteables());
        xContents = new NamedXContentRegistry(module.getNamedXContents());
    }

    private CrossEncoderRescorerBuilder randomBuilder() {
        CrossEncoderRescorerBuilder b = new CrossEncoderRescorerBuilder(RandomRequests.crossEncoder(random()), null);
        if (randomBoolean()) {
            b.windowSize(randomIntBetween(1, 1000));
        }
        return b;
    }

    /** One element of the search's {@code rescore} section, parsed as the search request parses it. */
    private RescorerBuilder<?> parse(String json) throws IOException {
        List<String> names = new ArrayList<>();
        try (XContentParser p = JsonXContent.jsonXContent.createParser(XContentParserConfiguration.EMPTY.withRegistry(xContents), json)) {
            p.nextToken();
            RescorerBuilder<?> parsed = RescorerBuilder.parseFromXContent(p, names::add);
            assertEquals(List.of(CrossEncoderRescorerBuilder.NAME), names);
            return parsed;
        }
    }

    private RescorerBuilder<?> wire(RescorerBuilder<?> b) throws IOException {
        try (BytesStreamOutput out = new BytesStreamOutput()) {
            out.writeNamedWriteable(b);
            try (StreamInput in = new NamedWriteableAwareStreamInput(out.bytes().streamInput(), writeables)) {
                return in.readNamedWriteable(RescorerBuilder.class);
            }
        }
    }

    @Test
    public void testXContentRoundTrip() throws IOException {
        for (int i = 0; i < 50; i++) {
            CrossEncoderRescorerBuilder original = randomBuilder();
            RescorerBuilder<?> parsed = parse(Strings.toString(original));
            assertEquals(original, parsed);
            assertEquals(original.hashCode(), parsed.hashCode());
            assertEquals(Strings.toString(original), Strings.toString(parsed));
        }
    }

    @Test
    public void testWireRoundTrip() throws IOException {
        for (int i = 0; i < 50; i++) {
            CrossEncoderRescorerBuilder original = randomBuilder();
            RescorerBuilder<?> read = wire(original);
            assertEquals(original, read);
            assertEquals(original.hashCode(), read.hashCode());
            assertEquals(original.windowSize(), read.windowSize());
        }
    }

    @Test
    public void testEqualsAndHashCode() throws IOException {
        CrossEncoderRescorerBuilder b = randomBuilder();
        assertEquals(b, b);
        assertNotEquals(b, null);
        CrossEncoderRescorerBuilder copy = (CrossEncoderRescorerBuilder) wire(b);
        assertEquals(b, copy);
        assertEquals(b.hashCode(), copy.hashCode());
        CrossEncoderRequest other = RandomRequests.crossEncoder(random());
        while (other.equals(b.request())) {
            other = RandomRequests.crossEncoder(random());
        }
        CrossEncoderRescorerBuilder mutated = new CrossEncoderRescorerBuilder(other, null);
        if (b.windowSize() != null) {
            mutated.windowSize(b.windowSize());
        }
        assertNotEquals(b, mutated);
        CrossEncoderRescorerBuilder otherWindow = new CrossEncoderRescorerBuilder(b.request(), null);
        otherWindow.windowSize(b.windowSize() == null ? 7 : b.windowSize() + 1);
        assertNotEquals(b, otherWindow);
    }

    @Test
    public void testTheSectionAsUsersWriteIt() throws IOException {
        RescorerBuilder<?> parsed = parse("{\"window_size\":20,\"cross_encoder\":{\"model\":\"overlap-logit\",\"query_text\":\"goldfish care\","
            + "\"fields\":[\"title\",\"text\"],\"score_mode\":\"combine\",\"first_stage_scale\":5}}");
        CrossEncoderRescorerBuilder b = (CrossEncoderRescorerBuilder) parsed;
        assertEquals(Integer.valueOf(20), b.windowSize());
        assertEquals("overlap-logit", b.request().model());
        assertEquals(List.of("title", "text"), b.request().fields());
        assertEquals(5f, b.request().firstStageScaleOrNaN(), 0f);
        assertTrue(Strings.toString(b), Strings.toString(b).startsWith("{\"window_size\":20,\"cross_encoder\":{\"model\":\"overlap-logit\""));
    }

    /** The rescore section's own parser hands the object over; errors keep the core's message. */
    @Test
    public void testErrorsKeepTheCoreMessage() {
        Exception e = expectThrows(IllegalArgumentException.class,
            () -> parse("{\"cross_encoder\":{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"temperature\":1}}"));
        assertEquals("[cross_encoder] unknown field [temperature]", e.getMessage());
        e = expectThrows(IllegalArgumentException.class,
            () -> parse("{\"cross_encoder\":{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"max_chunks\":0}}"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("[cross_encoder] [max_chunks]"));
    }
}
