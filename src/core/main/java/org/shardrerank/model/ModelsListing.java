package org.shardrerank.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The models listing as both engines render it: a summary per model across the nodes that answered ({@code models}:
 * name, type, how many nodes hold it in each state) and each node's own list, where a model that some other node has is
 * listed as {@code missing}, so a node without the folder shows up at a glance.
 */
public final class ModelsListing {
    private static final String NAME = "name", STATE = "state", TYPE = "type";

    /**
     * What one node said.
     *
     * @param modelsPath the models folder relative to the node's config folder, or null when it lies elsewhere
     * @param models     each model's fields ({@link ModelStatus#toMap()}), with at least {@code name} and {@code state}
     */
    public record NodeModels(String nodeName, String device, String deviceFallbackReason, String modelsPath,
                             List<Map<String, Object>> models) {
        Map<String, Object> model(String name) {
            for (Map<String, Object> m : models) {
                if (name.equals(m.get(NAME))) {
                    return m;
                }
            }
            return null;
        }
    }

    private final List<NodeModels> nodes;
    private final TreeSet<String> names = new TreeSet<>();

    public ModelsListing(List<NodeModels> nodes) {
        this.nodes = nodes;
        nodes.forEach(n -> n.models().forEach(m -> names.add((String) m.get(NAME))));
    }

    /** One entry per model known to any node: its type and the number of nodes per state. */
    public List<Map<String, Object>> summaries() {
        List<Map<String, Object>> out = new ArrayList<>(names.size());
        for (String name : names) {
            Map<String, Integer> states = new TreeMap<>();
            Object type = null;
            for (NodeModels n : nodes) {
                Map<String, Object> m = n.model(name);
                states.merge(m == null ? ModelState.MISSING.toString() : (String) m.get(STATE), 1, Integer::sum);
                if (type == null && m != null) {
                    type = m.get(TYPE);
                }
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put(NAME, name);
            if (type != null) {
                summary.put(TYPE, type);
            }
            summary.put("states", states);
            out.add(summary);
        }
        return out;
    }

    /** Node {@code i}'s part: name, device, its models folder and every model of the listing (missing ones included). */
    public Map<String, Object> node(int i) {
        NodeModels n = nodes.get(i);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(NAME, n.nodeName());
        out.put("device", n.device());
        if (n.deviceFallbackReason() != null) {
            out.put("device_fallback_reason", n.deviceFallbackReason());
        }
        if (n.modelsPath() != null) {
            out.put("models_path", n.modelsPath());
        }
        List<Map<String, Object>> models = new ArrayList<>(names.size());
        for (String name : names) {
            Map<String, Object> m = n.model(name);
            models.add(m == null ? missing(name) : m);
        }
        out.put("models", models);
        return out;
    }

    /** A model another node has, listed on this one as missing: name first, as every listed model. */
    private static Map<String, Object> missing(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(NAME, name);
        m.put(STATE, ModelState.MISSING.toString());
        return m;
    }
}
