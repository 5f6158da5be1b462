package org.shardrerank.rescore;

import org.junit.Test;
import org.shardrerank.CoreTestCase;
import org.shardrerank.inference.Pooling;
import org.shardrerank.util.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class CrossEncoderRequestTests extends CoreTestCase {

    private static CrossEncoderRequest parse(String json) throws IOException {
        return CrossEncoderRequest.fromMap(Json.parseObject(json));
    }

    @Test
    public void testMapRoundTrip() {
        for (int i = 0; i < 100; i++) {
            CrossEncoderRequest original = RandomRequests.crossEncoder(random());
            Map<String, Object> map = original.toMap();
            assertEquals(original, CrossEncoderRequest.fromMap(map));
        }
    }

    @Test
    public void testJsonRoundTripWithWholeNumbersAsDoubles() throws IOException {
        // what a JSON parser hands over: 8 may come as 8.0, floats as doubles
        CrossEncoderRequest r = parse("{\"model\":\"m\",\"query_text\":\"q\",\"fields\":\"text\",\"max_length\":64.0,\"score_mode\":\"combine\","
            + "\"first_stage_scale\":0.5,\"timeout\":\"2s\"}");
        assertEquals(Integer.valueOf(64), r.maxLength());
        assertEquals(List.of("text"), r.fields());
        assertEquals(2000, r.timeoutMillis(10));
        assertEquals(0.5f, r.firstStageScaleOrNaN(), 0f);
    }

    @Test
    public void testDefaults() throws IOException {
        CrossEncoderRequest r = parse("{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"title\",\"text\"]}");
        assertEquals(List.of("title", "text"), r.fields());
        assertEquals(ScoreMode.REPLACE, r.scoreMode());
        assertEquals(Pooling.MAX, r.pooling());
        assertEquals(OnTimeout.KEEP_FIRST_STAGE, r.onTimeout());
        assertEquals(8, r.maxChunks());
        assertNull(r.maxLength());
        assertNull(r.batchSize());
        assertNull(r.minScore());
        assertEquals(1234, r.timeoutMillis(1234));
    }

    @Test
    public void testValidationMessagesNameTheField() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] { "{\"query_text\":\"q\",\"fields\":[\"t\"]}", "[cross_encoder] requires [model]" });
        cases.add(new String[] { "{\"model\":\"m\",\"fields\":[\"t\"]}", "[cross_encoder] requires a non-empty [query_text]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"  \",\"fields\":[\"t\"]}", "[cross_encoder] requires a non-empty [query_text]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\"}", "[cross_encoder] requires at least one field in [fields]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[]}", "[cross_encoder] requires at least one field in [fields]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"\"]}", "[cross_encoder] [fields] cannot contain an empty field name" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[{\"a\":1}]}",
            "[cross_encoder] failed to parse field [fields]: expected strings, got an object" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"max_length\":4}", "[cross_encoder] [max_length] must be at least 8, got [4]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"max_length\":\"x\"}",
            "[cross_encoder] failed to parse field [max_length]: expected a whole number, got [x]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"max_length\":8.5}",
            "[cross_encoder] failed to parse field [max_length]: expected a whole number, got [8.5]" });
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
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"timeout\":\"soon\"}",
            "[cross_encoder] failed to parse field [timeout]: [timeout] must be a duration with a unit (e.g. 500ms, 10s, 1m), got [soon]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"timeout\":\"-1s\"}", "[cross_encoder] [timeout] must be positive, got [-1s]" });
        cases.add(new String[] { "{\"model\":5,\"query_text\":\"q\",\"fields\":[\"t\"]}", "[cross_encoder] failed to parse field [model]: expected a string, got [5]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"temperature\":1}", "[cross_encoder] unknown field [temperature]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"score_mode\":\"multiply\"}",
            "[cross_encoder] [score_mode] must be one of [replace, combine], got [multiply]" });
        cases.add(new String[] { "{\"model\":\"m\",\"query_text\":\"q\",\"fields\":[\"t\"],\"pooling\":\"sum\"}",
            "[cross_encoder] [pooling] must be one of [max, mean, first], got [sum]" });
        for (String[] c : cases) {
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> parse(c[0]));
            assertEquals(c[0], c[1], e.getMessage());
        }
    }
}
