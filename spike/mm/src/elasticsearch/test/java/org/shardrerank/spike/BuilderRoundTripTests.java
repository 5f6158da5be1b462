package org.shardrerank.spike;

import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.NamedWriteableAwareStreamInput;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.Strings;
import org.elasticsearch.index.query.AbstractQueryBuilder;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.search.SearchModule;
import org.elasticsearch.xcontent.NamedXContentRegistry;
import org.elasticsearch.xcontent.XContentParser;
import org.elasticsearch.xcontent.XContentParserConfiguration;
import org.elasticsearch.xcontent.json.JsonXContent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Plain JUnit: ES server classes (SearchModule registries, XContent, streams) work outside a node. */
class BuilderRoundTripTests {
    private final SearchModule module = new SearchModule(Settings.EMPTY, List.of(new SpikePlugin()));
    private final NamedWriteableRegistry writeables = new NamedWriteableRegistry(module.getNamedWriteables());
    private final NamedXContentRegistry xcontent = new NamedXContentRegistry(module.getNamedXContents());

    @Test
    void queryParsesAndRoundTrips() throws Exception {
        String json = "{\"spike_rrf\":{\"queries\":[{\"match\":{\"text\":\"goldfish\"}},"
            + "{\"knn\":{\"field\":\"vec\",\"query_vector\":[1,0,0],\"k\":3,\"num_candidates\":10}}],\"window\":7}}";
        QueryBuilder parsed;
        try (XContentParser p = JsonXContent.jsonXContent.createParser(XContentParserConfiguration.EMPTY.withRegistry(xcontent), json)) {
            parsed = AbstractQueryBuilder.parseTopLevelQuery(p);
        }
        BytesStreamOutput out = new BytesStreamOutput();
        out.writeNamedWriteable(parsed);
        QueryBuilder read = new NamedWriteableAwareStreamInput(out.bytes().streamInput(), writeables).readNamedWriteable(QueryBuilder.class);
        assertEquals(parsed, read);
        assertEquals(Strings.toString(parsed), Strings.toString(read));
    }

    @Test
    void rescorerRoundTrips() throws Exception {
        SpikeRescorerBuilder b = new SpikeRescorerBuilder("q", "text", 0);
        BytesStreamOutput out = new BytesStreamOutput();
        b.writeTo(out);
        assertEquals(b, new SpikeRescorerBuilder(out.bytes().streamInput()));
    }
}
