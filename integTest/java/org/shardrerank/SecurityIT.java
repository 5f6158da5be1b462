package org.shardrerank;

import org.junit.Assume;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;
import org.junit.runners.model.Statement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Privileges, for real: an Elasticsearch node of its own with x-pack security on (basic license, file realm). A user whose
 * role has only {@code read} on an index searches it with hybrid_rrf + cross_encoder but gets 403 on the plugin's stats,
 * models listing and model operations; {@code monitor} reads stats and models but cannot operate; {@code manage} can.
 * (OpenSearch's security plugin is not on Maven Central: Elasticsearch only.)
 */
public class SecurityIT extends RerankRestTestCase {
    private static final String ROLES = String.join("\n",
        "rerank_admin: { cluster: [ manage ], indices: [ { names: [ '*' ], privileges: [ all ] } ] }",
        "rerank_monitor: { cluster: [ monitor ] }",
        "docs_reader: { indices: [ { names: [ docs ], privileges: [ read ] } ] }", "");
    private static final String ADMIN = "admin", READER = "reader", MONITOR = "watcher", PASSWORD = "integ-pass-123";

    static final LocalCluster CLUSTER = new LocalCluster(System.getProperty("tests.security.dir", "target/integ-security"), 9280, 1, "")
        .env("NODE_SECURITY", "1")
        .env("NODE_ROLES_FILE", rolesFile())
        .env("NODE_USERS", ADMIN + ":" + PASSWORD + ":rerank_admin\n" + READER + ":" + PASSWORD + ":docs_reader\n"
            + MONITOR + ":" + PASSWORD + ":rerank_monitor");

    @ClassRule
    public static final TestRule RULE = RuleChain.outerRule((TestRule) (base, description) -> new Statement() {
        @Override
        public void evaluate() throws Throwable {
            Assume.assumeTrue("x-pack security ships in Elasticsearch's integ-test-zip; OpenSearch's security plugin is not on Maven "
                + "Central", ENGINE == Engine.ELASTICSEARCH);
            base.evaluate();
        }
    }).around(CLUSTER);

    private static String rolesFile() {
        try {
            Path file = Files.createTempFile("shard-rerank-roles", ".yml");
            Files.writeString(file, ROLES);
            file.toFile().setReadable(true, false); // the node runs as another user when the tests run as root
            return file.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected String hosts() {
        return CLUSTER.hosts();
    }

    @Override
    protected String credentials() {
        return ADMIN + ":" + PASSWORD;
    }

    private static final String SEARCH = "{\"query\":{\"hybrid_rrf\":{\"queries\":[{\"match\":{\"text\":\"goldfish\"}},"
        + "{\"match\":{\"title\":\"goldfish\"}}],\"window_size\":10}},\"rescore\":{\"window_size\":10,\"cross_encoder\":"
        + "{\"model\":\"overlap-logit\",\"query_text\":\"do goldfish grow\",\"fields\":[\"title\",\"text\"]}}}";

    private int status(String user, String method, String path, String body) throws IOException {
        return requestAs(user, PASSWORD, method, path, body).status();
    }

    @Test
    public void testEachActionNeedsItsPrivilege() throws IOException {
        call("PUT", "/docs", "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0},"
            + "\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"},\"text\":{\"type\":\"text\"}}}}");
        bulk("docs", goldfishDocs());
        String stats = ENGINE.restPrefix() + "/stats";
        String models = ENGINE.restPrefix() + "/models";
        String reload = ENGINE.restPrefix() + "/models/overlap-logit/_reload";

        // read on the index: search with hybrid_rrf + cross_encoder, nothing of the plugin's cluster actions
        RestResponse search = requestAs(READER, PASSWORD, "POST", "/docs/_search", SEARCH);
        assertEquals(search.body(), 200, search.status());
        assertEquals("the rescore ran: the fixture ranks doc 2 (goldfish, grow) first", "2", ids(search.map()).get(0));
        assertEquals(403, status(READER, "GET", stats, null));
        assertEquals(403, status(READER, "GET", models, null));
        assertEquals(403, status(READER, "POST", reload, null));
        assertEquals("no read on other indices", 403, status(READER, "POST", "/other/_search", "{}"));

        // monitor: stats and the models listing, not model operations
        assertEquals(200, status(MONITOR, "GET", stats, null));
        assertEquals(200, status(MONITOR, "GET", models, null));
        assertEquals(403, status(MONITOR, "POST", reload, null));
        assertEquals(403, status(MONITOR, "POST", ENGINE.restPrefix() + "/models/overlap-logit/_unload", null));

        // manage: model operations
        RestResponse reloaded = requestAs(ADMIN, PASSWORD, "POST", reload, null);
        assertEquals(reloaded.body(), 200, reloaded.status());
        Map<String, Object> node = onlyNode(reloaded.map());
        assertEquals("loaded", node.get("after"));
        assertEquals(200, status(ADMIN, "GET", stats, null));
        assertEquals("the reader still searches after the reload", 200, status(READER, "POST", "/docs/_search", SEARCH));
        assertEquals("no credentials", 401, requestAs("nobody", "wrong-password", "GET", "/docs/_search", null).status());
    }
}
