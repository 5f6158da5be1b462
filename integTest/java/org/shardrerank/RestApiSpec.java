package org.shardrerank;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The REST API specs of the YAML suites ({@code rest-api-spec/api/*.json} on the test classpath, the format of the
 * engines' own specs: url paths with their methods and parts, params, body): turns an api name and its arguments into
 * a request. The plugin's paths are written with OpenSearch's prefix {@code /_plugins/rerank} and are served under the
 * engine's own ({@link Engine#restPrefix()}).
 */
final class RestApiSpec {
    private static final String PLUGIN_PREFIX = "/_plugins/rerank";
    private static final Pattern PART = Pattern.compile("\\{([^}]+)}");

    /** A request built from a spec: method, path with its query string, body (or null) and its content type. */
    record ApiRequest(String method, String path, String body, String contentType) {}

    private record UrlPath(String path, List<String> methods, Set<String> parts) {}

    private record Api(String name, List<UrlPath> paths, Set<String> params, boolean bulkBody) {}

    private final Map<String, Api> apis;
    private final Set<String> commonParams;

    private RestApiSpec(Map<String, Api> apis, Set<String> commonParams) {
        this.apis = apis;
        this.commonParams = commonParams;
    }

    /** The specs under {@code resourceFolder} on the classpath (a folder of the test classes). */
    @SuppressWarnings("unchecked")
    static RestApiSpec load(String resourceFolder) throws IOException {
        Map<String, Api> apis = new TreeMap<>();
        Set<String> common = Set.of();
        for (Path file : jsonFiles(resourceFolder)) {
            Map<String, Object> json;
            try (InputStream in = Files.newInputStream(file)) {
                json = RerankRestTestCase.JSON.readValue(in, Map.class);
            }
            if (file.getFileName().toString().equals("_common.json")) {
                common = Set.copyOf(((Map<String, Object>) json.getOrDefault("params", Map.of())).keySet());
                continue;
            }
            for (Map.Entry<String, Object> e : json.entrySet()) {
                Map<String, Object> spec = (Map<String, Object>) e.getValue();
                List<UrlPath> paths = new ArrayList<>();
                for (Map<String, Object> p : (List<Map<String, Object>>) ((Map<String, Object>) spec.get("url")).get("paths")) {
                    String path = (String) p.get("path");
                    if (path.startsWith(PLUGIN_PREFIX)) {
                        path = RerankRestTestCase.ENGINE.restPrefix() + path.substring(PLUGIN_PREFIX.length());
                    }
                    Set<String> parts = Set.copyOf(((Map<String, Object>) p.getOrDefault("parts", Map.of())).keySet());
                    paths.add(new UrlPath(path, (List<String>) p.get("methods"), parts));
                }
                Map<String, Object> params = (Map<String, Object>) spec.getOrDefault("params", Map.of());
                Map<String, Object> body = (Map<String, Object>) spec.get("body");
                boolean bulk = body != null && "bulk".equals(body.get("serialize"));
                apis.put(e.getKey(), new Api(e.getKey(), paths, Set.copyOf(params.keySet()), bulk));
            }
        }
        return new RestApiSpec(apis, common);
    }

    private static List<Path> jsonFiles(String resourceFolder) throws IOException {
        URL url = RestApiSpec.class.getClassLoader().getResource(resourceFolder);
        if (url == null || "file".equals(url.getProtocol()) == false) {
            throw new IOException("no folder [" + resourceFolder + "] on the test classpath (found " + url + ")");
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    /**
     * The request for api {@code name} with {@code args}: the path with the most parts that {@code args} fill, the other
     * arguments (which the spec must know) as its query string, {@code body} as JSON or, for bulk, as JSON lines.
     */
    ApiRequest request(String name, Map<String, Object> args) {
        Api api = apis.get(name);
        if (api == null) {
            throw new AssertionError("no REST API spec for [" + name + "]; known: " + apis.keySet());
        }
        Map<String, Object> rest = new LinkedHashMap<>(args == null ? Map.of() : args);
        Object body = rest.remove("body");
        UrlPath chosen = null;
        for (UrlPath p : api.paths()) {
            if (rest.keySet().containsAll(p.parts()) && (chosen == null || p.parts().size() > chosen.parts().size())) {
                chosen = p;
            }
        }
        if (chosen == null) {
            throw new AssertionError("[" + name + "]: no path of " + api.paths() + " takes the arguments " + rest.keySet());
        }
        Matcher m = PART.matcher(chosen.path());
        StringBuilder path = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(path, Matcher.quoteReplacement(encodePart(rest.remove(m.group(1)))));
        }
        m.appendTail(path);
        StringBuilder query = new StringBuilder();
        for (Map.Entry<String, Object> e : rest.entrySet()) {
            if (api.params().contains(e.getKey()) == false && commonParams.contains(e.getKey()) == false) {
                throw new AssertionError("[" + name + "] does not support the parameter [" + e.getKey() + "]");
            }
            query.append(query.isEmpty() ? '?' : '&').append(encode(e.getKey())).append('=').append(encode(text(e.getValue())));
        }

        String bodyText = null;
        String contentType = "application/json";
        if (body instanceof List<?> lines || api.bulkBody()) {
            contentType = "application/x-ndjson";
            StringBuilder b = new StringBuilder();
            if (body instanceof List<?> list) {
                for (Object line : list) {
                    b.append(line instanceof String s ? s : RerankRestTestCase.toJson(line)).append('\n');
                }
            } else if (body != null) {
                b.append(body instanceof String s ? s : RerankRestTestCase.toJson(body));
                if (b.isEmpty() == false && b.charAt(b.length() - 1) != '\n') {
                    b.append('\n');
                }
            }
            bodyText = b.toString();
        } else if (body != null) {
            bodyText = body instanceof String s ? s : RerankRestTestCase.toJson(body);
        }
        return new ApiRequest(method(chosen.methods(), bodyText != null), path + query.toString(), bodyText, contentType);
    }

    /** With a body POST (else PUT, else the first), without GET (else the first). */
    private static String method(List<String> methods, boolean hasBody) {
        for (String preferred : hasBody ? List.of("POST", "PUT") : List.of("GET")) {
            if (methods.contains(preferred)) {
                return preferred;
            }
        }
        return methods.get(0);
    }

    private static String text(Object value) {
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    /** A path part: each comma-separated value URL-encoded, the commas kept. */
    private static String encodePart(Object value) {
        List<String> values = value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of(String.valueOf(value).split(",", -1));
        return String.join(",", values.stream().map(RestApiSpec::encode).toList());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
