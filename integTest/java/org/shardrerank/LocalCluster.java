package org.shardrerank;

import org.junit.rules.ExternalResource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A cluster of its own for a test class that needs other node settings or several nodes: scripts/node.sh (the same
 * install as the main test node, of the engine under test: {@link Engine#current()}) in its own folder and ports.
 * Declared as the class's {@code @ClassRule}, it starts before the class's tests and stops after them.
 */
final class LocalCluster extends ExternalResource {
    private final String dir;
    private final int httpPort;
    private final int nodes;
    private final String extraYml;
    private final Map<String, String> extraEnv = new java.util.LinkedHashMap<>();

    /**
     * @param dir       the cluster's working folder
     * @param httpPort  HTTP port of node 1; node I uses +I-1
     * @param nodes     number of nodes
     * @param extraYml  lines appended to each node's config file ({@link Engine#configFile()}), or empty
     */
    LocalCluster(String dir, int httpPort, int nodes, String extraYml) {
        this.dir = dir;
        this.httpPort = httpPort;
        this.nodes = nodes;
        this.extraYml = extraYml;
    }

    /** Passes {@code value} to scripts/node.sh as {@code name} (e.g. NODE_SECURITY, NODE_USERS, NODE_ROLES_FILE). */
    LocalCluster env(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    @Override
    protected void before() throws Throwable {
        script("start");
    }

    @Override
    protected void after() {
        try {
            script("stop");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot stop the cluster in " + dir, e);
        }
    }

    void stopNode(int node) throws IOException, InterruptedException {
        script("stop-node", Integer.toString(node));
    }

    void startNode(int node) throws IOException, InterruptedException {
        script("start-node", Integer.toString(node));
    }

    /** Where node {@code node} keeps its models. */
    Path models(int node) {
        return Path.of(dir, "nodes", "node-" + node, "config", "shard-rerank", "models");
    }

    /** Node {@code node}'s config file (opensearch.yml or elasticsearch.yml). */
    Path configFile(int node) {
        return Path.of(dir, "nodes", "node-" + node, "config", Engine.current().configFile());
    }

    /** The hosts of all nodes, for {@link RerankRestTestCase#hosts()}. */
    String hosts() {
        return IntStream.range(0, nodes).mapToObj(i -> "127.0.0.1:" + (httpPort + i)).collect(Collectors.joining(","));
    }

    private void script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "scripts/node.sh"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = pb.environment();
        env.remove("DJL_CACHE_DIR"); // the unit tests' relative cache folder, not the node's (it picks one in its own tmp)
        env.put("ENGINE", Engine.current().id());
        env.put("NODES", Integer.toString(nodes));
        env.put("NODE_DIR", dir);
        env.put("NODE_HTTP_PORT", Integer.toString(httpPort));
        env.put("NODE_HEAP", "512m");
        env.put("NODE_EXTRA_YML", extraYml);
        env.put("DOWNLOADS", System.getProperty("tests.downloads", "target/integ/downloads"));
        env.put("MODELS_FROM", System.getProperty("tests.models.dir", "target/test-models"));
        env.putAll(extraEnv);
        String pluginZip = System.getProperty("tests.plugin.zip", "");
        if (pluginZip.isBlank() == false && pluginZip.startsWith("${") == false) {
            env.put("PLUGIN_ZIP", pluginZip); // else node.sh's default, the engine's zip under target/
        }
        Process p = pb.start();
        if (p.waitFor(600, TimeUnit.SECONDS) == false || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("scripts/node.sh " + String.join(" ", args) + " failed");
        }
    }
}
