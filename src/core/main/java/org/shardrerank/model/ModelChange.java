package org.shardrerank.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a load, unload or reload did to one model on one node.
 *
 * @param before     state before the operation
 * @param after      state after it
 * @param generation versions of the model this node has loaded so far (the serving one is the last)
 * @param sha256     checksums of the serving version's files, empty when nothing serves
 * @param error      why the operation failed, or null
 */
public record ModelChange(String model, ModelState before, ModelState after, long generation, Map<String, String> sha256, String error) {

    static ModelChange missing(String model, String error) {
        return new ModelChange(model, ModelState.MISSING, ModelState.MISSING, 0, Map.of(), error);
    }

    /** The fields a node reports, in order (the model's name is the response's); also the wire form between nodes. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("before", before.toString());
        map.put("after", after.toString());
        map.put("generation", generation);
        if (sha256.isEmpty() == false) {
            map.put("sha256", sha256);
        }
        if (error != null) {
            map.put("error", error);
        }
        return map;
    }

    /** Reads {@link #toMap()} back. */
    @SuppressWarnings("unchecked")
    public static ModelChange fromMap(String model, Map<String, Object> map) {
        return new ModelChange(model, ModelState.parse((String) map.get("before")), ModelState.parse((String) map.get("after")),
            ((Number) map.get("generation")).longValue(), (Map<String, String>) map.getOrDefault("sha256", Map.of()),
            (String) map.get("error"));
    }
}
