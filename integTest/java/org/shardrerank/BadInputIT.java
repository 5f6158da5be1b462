package org.shardrerank;

import org.junit.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of malformed and hostile requests: each gets an exact 4xx and a message naming the problem,
 * and the node stays healthy.
 */
public class BadInputIT extends RerankRestTestCase {

    private record Case(String name, String body, int status, String message) {}

    private static String rescore(String window, String crossEncoder) {
        return "{\"query\":{\"match\":{\"text\":\"goldfish\"}},\"rescore\":{\"window_size\":" + window + ",\"cross_encoder\":" + crossEncoder + "}}";
    }

    /** A valid cross_encoder body with {@code extra} options appended (or replacing a key given first). */
    private static String ce(String extra) {
        return "{\"model\":\"overlap-logit\",\"query_text\":\"goldfish\",\"fields\":[\"text\"]" + extra + "}";
    }

    private static List<Case> catalogue() {
        List<Case> c = new ArrayList<>();
        String ok = "\"model\":\"overlap-logit\",\"query_text\":\"goldfish\",\"fields\":[\"text\"]";
        c.add(new Case("model is a number", rescore("10", "{\"model\":5,\"query_text\":\"q\",\"fields\":[\"text\"]}"), 400, "[cross_encoder] failed to parse field [model]: expected a string, got [5]"));
        c.add(new Case("model is an object", rescore("10", "{\"model\":{\"a\":1},\"query_text\":\"q\",\"fields\":[\"text\"]}"), 400, "[cross_encoder] failed to parse field [model]: expected a string, got an object"));
        c.add(new Case("model is null", rescore("10", "{\"model\":null,\"query_text\":\"q\",\"fields\":[\"text\"]}"), 400, "[cross_encoder] requires [model]"));
        c.add(new Case("model missing", rescore("10", "{\"query_text\":\"q\",\"fields\":[\"text\"]}"), 400, "[cross_encoder] requires [model]"));
        c.add(new Case("unknown model", rescore("10", ce("").replace("overlap-logit", "nope")), 400, "unknown model [nope]; models on this node:"));
        c.add(new Case("path traversal", rescore("10", ce("").replace("overlap-logit", "../overlap-logit")), 400, "invalid model name [../overlap-logit]"));
        c.add(new Case("absolute path", rescore("10", ce("").replace("overlap-logit", "/etc/passwd")), 400, "invalid model name [/etc/passwd]"));
        c.add(new Case("query_text is an array", rescore("10", "{\"model\":\"overlap-logit\",\"query_text\":[\"a\"],\"fields\":[\"text\"]}"), 400, "[cross_encoder] failed to parse field [query_text]: expected a string, got an array"));
        c.add(new Case("query_text is an object", rescore("10", "{\"model\":\"overlap-logit\",\"query_text\":{\"a\":1},\"fields\":[\"text\"]}"), 400, "[cross_encoder] failed to parse field [query_text]: expected a string, got an object"));
        c.add(new Case("query_text empty", rescore("10", "{\"model\":\"overlap-logit\",\"query_text\":\"\",\"fields\":[\"text\"]}"), 400, "[cross_encoder] requires a non-empty [query_text]"));
        c.add(new Case("query_text 1 MB", rescore("10", "{\"model\":\"overlap-logit\",\"query_text\":\"" + "goldfish ".repeat(116_000) + "\",\"fields\":[\"text\"]}"), 400, "[query_text] is 232000 tokens long; with [max_length] 64 it may be at most 32 tokens"));
        c.add(new Case("fields missing", rescore("10", "{\"model\":\"overlap-logit\",\"query_text\":\"q\"}"), 400, "[cross_encoder] requires at least one field in [fields]"));
        c.add(new Case("fields empty", rescore("10", "{\"model\":\"overlap-logit\",\"query_text\":\"q\",\"fields\":[]}"), 400, "[cross_encoder] requires at least one field in [fields]"));
        c.add(new Case("fields holds an object", rescore("10", "{\"model\":\"overlap-logit\",\"query_text\":\"q\",\"fields\":[{\"a\":1}]}"), 400, "[cross_encoder] failed to parse field [fields]"));
        c.add(new Case("field is an integer", rescore("10", ce("").replace("[\"text\"]", "[\"year\"]")), 400, "field [year] is of type [integer]"));
        c.add(new Case("field is an object", rescore("10", ce("").replace("[\"text\"]", "[\"meta\"]")), 400, "field [meta] is an object; name its text fields"));
        c.add(new Case("field mapped nowhere", rescore("10", ce("").replace("[\"text\"]", "[\"text\",\"txet\"]")), 400,
            "[cross_encoder] field [txet] is not mapped in index [bad] (set [ignore_unmapped] to skip fields that only some indices map)"));
        c.add(new Case("ignore_unmapped with no field left", rescore("10", ce(",\"ignore_unmapped\":true").replace("[\"text\"]", "[\"txet\"]")),
            400, "[cross_encoder] none of the fields [txet] is mapped in index [bad]"));
        c.add(new Case("combine without its scale", rescore("10", ce(",\"score_mode\":\"combine\"")), 400,
            "[cross_encoder] [score_mode] [combine] requires [first_stage_scale]"));
        c.add(new Case("first_stage_scale negative", rescore("10", ce(",\"score_mode\":\"combine\",\"first_stage_scale\":-2")), 400,
            "[cross_encoder] [first_stage_scale] must be a finite number > 0, got [-2.0]"));
        c.add(new Case("window negative", rescore("-5", ce("")), 400, "[window_size] must be at least 1, got [-5]"));
        c.add(new Case("window zero", rescore("0", ce("")), 400, "[window_size] must be at least 1, got [0]"));
        c.add(new Case("window huge", rescore("100000", ce("")), 400, "[window_size] is 100000, above this node's maximum [plugins.shard_rerank.max_window_size] of 1000"));
        c.add(new Case("window not a number", rescore("\"abc\"", ce("")), 400, "For input string: \"abc\""));
        c.add(new Case("max_length too small", rescore("10", ce(",\"max_length\":0")), 400, "[max_length] must be at least 8, got [0]"));
        c.add(new Case("max_length above the model", rescore("10", ce(",\"max_length\":4096")), 400, "[max_length] is 4096, above the model [overlap-logit]'s max_length of 64"));
        c.add(new Case("max_length a string", rescore("10", ce(",\"max_length\":\"x\"")), 400, "[cross_encoder] failed to parse field [max_length]"));
        c.add(new Case("stride negative", rescore("10", ce(",\"stride\":-1")), 400, "[stride] must be >= 0, got [-1]"));
        c.add(new Case("stride too large", rescore("10", ce(",\"stride\":60")), 400, "[stride] is 60 but each window has room for only"));
        c.add(new Case("max_chunks too large", rescore("10", ce(",\"max_chunks\":1000")), 400, "[max_chunks] must be in [1, 64], got [1000]"));
        c.add(new Case("batch_size zero", rescore("10", ce(",\"batch_size\":0")), 400, "[batch_size] must be in [1, 1024], got [0]"));
        c.add(new Case("pooling unknown", rescore("10", ce(",\"pooling\":\"sum\"")), 400, "[pooling] must be one of [max, mean, first], got [sum]"));
        c.add(new Case("score_mode unknown", rescore("10", ce(",\"score_mode\":\"multiply\"")), 400, "[score_mode] must be one of [replace, combine], got [multiply]"));
        c.add(new Case("weights with replace", rescore("10", ce(",\"rerank_weight\":2")), 400, "apply to [score_mode] [combine] only"));
        c.add(new Case("weight NaN", rescore("10", ce(",\"score_mode\":\"combine\",\"first_stage_weight\":\"NaN\"")), 400, "[first_stage_weight] must be a finite number >= 0, got [NaN]"));
        c.add(new Case("weight negative", rescore("10", ce(",\"score_mode\":\"combine\",\"rerank_weight\":-1")), 400, "[rerank_weight] must be a finite number >= 0, got [-1.0]"));
        c.add(new Case("weights both zero", rescore("10", ce(",\"score_mode\":\"combine\",\"rerank_weight\":0,\"first_stage_weight\":0")), 400, "cannot both be 0"));
        c.add(new Case("min_score infinite", rescore("10", ce(",\"min_score\":\"Infinity\"")), 400, "[min_score] must be a finite number"));
        c.add(new Case("timeout negative", rescore("10", ce(",\"timeout\":\"-1s\"")), 400, "[timeout] must be positive"));
        c.add(new Case("timeout unparsable", rescore("10", ce(",\"timeout\":\"soon\"")), 400, "[cross_encoder] failed to parse field [timeout]"));
        c.add(new Case("on_timeout unknown", rescore("10", ce(",\"on_timeout\":\"retry\"")), 400, "[on_timeout] must be one of [keep_first_stage, fail], got [retry]"));
        c.add(new Case("unknown option", rescore("10", ce(",\"temperature\":1")), 400, "[cross_encoder] unknown field [temperature]"));
        c.add(new Case("cross_encoder empty", rescore("10", "{}"), 400, "[cross_encoder] requires [model]"));
        c.add(new Case("cross_encoder is an array", rescore("10", "[]"), 400, "unexpected token [START_ARRAY] after [cross_encoder]"));
        c.add(new Case("rescore with sort", "{\"sort\":[{\"year\":\"asc\"}],\"query\":{\"match_all\":{}},\"rescore\":{\"cross_encoder\":{" + ok + "}}}", 400,
            "Cannot use [sort] option in conjunction with [rescore]"));
        c.add(new Case("not JSON", "{\"query\": not json", 400, "Unrecognized token 'not'"));
        return c;
    }

    @Test
    public void testCatalogue() throws IOException {
        call("PUT", "/bad", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0},\"mappings\":{\"properties\":{"
            + "\"text\":{\"type\":\"text\"},\"year\":{\"type\":\"integer\"},\"meta\":{\"properties\":{\"a\":{\"type\":\"keyword\"}}}}}}");
        call("POST", "/bad/_doc/1?refresh=true", "{\"text\":\"goldfish grow\",\"year\":1,\"meta\":{\"a\":\"x\"}}");
        List<Case> cases = catalogue();
        assertTrue("at least 30 cases", cases.size() >= 30);
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            ErrorResponse e = callExpectingError("POST", "/bad/_search", c.body());
            if (e.status() != c.status() || e.text().contains(c.message()) == false) {
                failures.add(c.name() + ": expected " + c.status() + " with [" + c.message() + "], got " + e.status() + " " + e.text());
            }
        }
        assertTrue(String.join("\n", failures), failures.isEmpty());
        Map<String, Object> health = call("GET", "/_cluster/health/bad?wait_for_status=green&timeout=10s", null);
        assertEquals("the node is healthy after the catalogue", "green", health.get("status"));
        assertEquals("1", ids(call("POST", "/bad/_search", rescore("10", ce("")))).get(0));
    }

    /** A field the model cannot read from _source would be scored as an empty text for every document: a 400 instead. */
    @Test
    public void testFieldsThatCannotBeReadAre400() throws IOException {
        call("PUT", "/nosource", "{\"mappings\":{\"_source\":{\"enabled\":false},\"properties\":{\"text\":{\"type\":\"text\"}}}}");
        call("PUT", "/excluded", "{\"mappings\":{\"_source\":{\"excludes\":[\"secret\"]},\"properties\":{\"text\":{\"type\":\"text\"},"
            + "\"secret\":{\"type\":\"text\"}}}}");
        for (String index : new String[] { "nosource", "excluded" }) {
            call("POST", "/" + index + "/_doc/1?refresh=true", "{\"text\":\"goldfish grow\",\"secret\":\"goldfish\"}");
        }
        ErrorResponse disabled = callExpectingError("POST", "/nosource/_search", rescore("10", ce("")));
        assertEquals(disabled.text(), 400, disabled.status());
        assertTrue(disabled.text(), disabled.text().contains("[cross_encoder] index [nosource] has _source disabled"));
        ErrorResponse excluded = callExpectingError("POST", "/excluded/_search", rescore("10", ce("").replace("[\"text\"]", "[\"text\",\"secret\"]")));
        assertEquals(excluded.text(), 400, excluded.status());
        assertTrue(excluded.text(), excluded.text().contains("[cross_encoder] field [secret] is excluded from _source in index [excluded]"));
        assertEquals("1", ids(call("POST", "/excluded/_search", rescore("10", ce("")))).get(0));
        // two indices with different mappings: ignore_unmapped skips the field where it is not mapped
        call("PUT", "/titled", "{\"mappings\":{\"properties\":{\"text\":{\"type\":\"text\"},\"title\":{\"type\":\"text\"}}}}");
        call("POST", "/titled/_doc/2?refresh=true", "{\"title\":\"goldfish\",\"text\":\"goldfish grow\"}");
        String both = rescore("10", ce(",\"ignore_unmapped\":true").replace("[\"text\"]", "[\"title\",\"text\"]"));
        assertEquals(2, hits(call("POST", "/titled,excluded/_search", both)).size());
    }

    /** Model names in requests cannot grow the node's stats: only models that exist get counters of their own. */
    @SuppressWarnings("unchecked")
    @Test
    public void testUnknownModelNamesDoNotGrowTheStats() throws IOException {
        call("PUT", "/vectors", "{\"settings\":{\"number_of_shards\":1" + ENGINE.vectorIndexSettings() + "},"
            + "\"mappings\":{\"properties\":{\"v\":" + ENGINE.vectorField(384, Engine.Similarity.COSINE) + "}}}");
        for (int i = 0; i < 200; i++) {
            String body = "{\"query\":" + ENGINE.textKnnQuery("v", "no-such-model-" + i, "goldfish", 3, "") + "}";
            ErrorResponse e = callExpectingError("POST", "/vectors/_search", body);
            assertEquals(e.text(), 400, e.status());
        }
        Map<String, Object> stats = onlyNode(call("GET", ENGINE.restPrefix() + "/stats", null));
        Map<String, Object> models = (Map<String, Object>) stats.get("models");
        for (String name : models.keySet()) {
            assertFalse("stats of a model that does not exist: " + name, name.startsWith("no-such-model"));
        }
        assertTrue(models.toString(), models.size() <= 10);
    }

    @Test
    public void testInvalidUtf8IsRejected() throws IOException {
        RestResponse r = requestBytes("POST", "/_search", new byte[] { '{', '"', 'q', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}' },
            "application/json");
        assertEquals(r.body(), 400, r.status());
        assertTrue(r.body(), r.body().contains("Invalid UTF-8"));
    }
}
