package org.shardrerank;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The YAML REST suites ({@code rest-api-spec/test/<folder>/<file>.yml}, the engines' format): each file is YAML
 * documents holding an optional {@code setup} and {@code teardown} section and named tests, each a list of steps
 * ({@code do}, {@code match}, {@code set}, ...). Scalars are read as JSON would (YAML 1.1's yes/no/on/off and dates
 * stay strings).
 */
final class YamlTestSuite {
    /**
     * Features a {@code skip} section may name, and whether this runner and the engine under test have them: a test
     * (or, in {@code setup}, a file) naming one it lacks is skipped. {@code headers}: {@code do} may send headers.
     * {@code opensearch_knn}: OpenSearch's k-NN plugin ({@code knn_vector}, {@code index.knn}, its {@code knn} query).
     * {@code search_pipelines}: OpenSearch's search pipelines.
     */
    static boolean hasFeature(String feature) {
        return switch (feature) {
            case "headers" -> true;
            case "opensearch_knn" -> RerankRestTestCase.ENGINE == Engine.OPENSEARCH;
            case "elasticsearch_knn" -> RerankRestTestCase.ENGINE == Engine.ELASTICSEARCH;
            case "search_pipelines" -> RerankRestTestCase.ENGINE.hasSearchPipelines();
            default -> throw new AssertionError("unknown feature [" + feature + "] in a skip section; known: headers, opensearch_knn, elasticsearch_knn, search_pipelines");
        };
    }

    /** One test of a file, with the file's setup and teardown steps. */
    record Test(String suite, String name, List<Map<String, Object>> setup, List<Map<String, Object>> teardown,
                List<Map<String, Object>> steps) {
        @Override
        public String toString() {
            return suite + "/" + name;
        }
    }

    private YamlTestSuite() {}

    /**
     * The tests of every {@code .yml} file under {@code resourceFolder} on the classpath, by path; with
     * {@code tests.rest.suite} (comma-separated, e.g. {@code shard_rerank/10_basic}) only the suites starting so.
     */
    static List<Test> load(String resourceFolder) throws IOException {
        URL url = YamlTestSuite.class.getClassLoader().getResource(resourceFolder);
        if (url == null || "file".equals(url.getProtocol()) == false) {
            throw new IOException("no folder [" + resourceFolder + "] on the test classpath (found " + url + ")");
        }
        Path root;
        try {
            root = Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        String filter = System.getProperty("tests.rest.suite", "");
        List<String> prefixes = filter.isBlank() || filter.startsWith("${") ? List.of("") : List.of(filter.split(","));
        List<Test> tests = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : files) {
            String suite = root.relativize(file).toString().replace('\\', '/').replaceAll("\\.ya?ml$", "");
            if (prefixes.stream().anyMatch(p -> suite.startsWith(p.trim()))) {
                tests.addAll(parse(suite, file));
            }
        }
        if (tests.isEmpty()) {
            throw new IOException("no YAML tests under [" + resourceFolder + "] matching [" + filter + "]");
        }
        return tests;
    }

    @SuppressWarnings("unchecked")
    private static List<Test> parse(String suite, Path file) throws IOException {
        List<Map<String, Object>> setup = List.of();
        List<Map<String, Object>> teardown = List.of();
        List<String> names = new ArrayList<>();
        List<List<Map<String, Object>>> bodies = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object document : yaml().loadAll(reader)) {
                if (document == null) {
                    continue;
                }
                if (document instanceof Map<?, ?> == false) {
                    throw new IOException(file + ": a document must be a map of sections, got " + document);
                }
                for (Map.Entry<String, Object> section : ((Map<String, Object>) document).entrySet()) {
                    List<Map<String, Object>> steps = steps(file, section.getKey(), section.getValue());
                    switch (section.getKey()) {
                        case "setup" -> setup = steps;
                        case "teardown" -> teardown = steps;
                        default -> {
                            if (names.contains(section.getKey())) {
                                throw new IOException(file + ": two tests named [" + section.getKey() + "]");
                            }
                            names.add(section.getKey());
                            bodies.add(steps);
                        }
                    }
                }
            }
        }
        List<Test> tests = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            tests.add(new Test(suite, names.get(i), setup, teardown, bodies.get(i)));
        }
        return tests;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(Path file, String section, Object value) throws IOException {
        if (value instanceof List<?> == false) {
            throw new IOException(file + ": section [" + section + "] must be a list of steps");
        }
        for (Object step : (List<Object>) value) {
            if (step instanceof Map<?, ?> == false || ((Map<?, ?>) step).size() != 1) {
                throw new IOException(file + ": [" + section + "]: each step is a map of one key, got " + step);
            }
        }
        return (List<Map<String, Object>>) value;
    }

    /** SnakeYAML resolving scalars as JSON does: true/false, numbers, null; everything else a string. */
    private static Yaml yaml() {
        LoaderOptions loader = new LoaderOptions();
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new SafeConstructor(loader), new Representer(dumper), dumper, loader, new JsonScalars());
    }

    private static final class JsonScalars extends Resolver {
        private static final Set<String> BOOLEANS = Set.of("true", "True", "TRUE", "false", "False", "FALSE");

        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, Pattern.compile("^(?:" + String.join("|", BOOLEANS) + ")$"), "tTfF");
            addImplicitResolver(Tag.INT, Pattern.compile("^-?(?:0|[1-9][0-9]*)$"), "-0123456789");
            addImplicitResolver(Tag.FLOAT, Pattern.compile("^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"), "-0123456789");
            addImplicitResolver(Tag.NULL, Pattern.compile("^(?:~|null|Null|NULL|)$"), "~nN\0");
            addImplicitResolver(Tag.NULL, Pattern.compile("^$"), null);
        }
    }
}
