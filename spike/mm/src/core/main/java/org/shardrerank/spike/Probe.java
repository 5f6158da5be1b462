package org.shardrerank.spike;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** What the spike observed on this node: probe steps and the threads sub-searches ran on (spike only: static state). */
public final class Probe {
    public static final Map<String, String> STEPS = new ConcurrentSkipListMap<>();
    public static final Set<String> SUB_SEARCH_THREADS = ConcurrentHashMap.newKeySet();
    public static final Set<String> COLLECT_THREADS = ConcurrentHashMap.newKeySet();
    public static final Set<String> INGEST_THREADS = ConcurrentHashMap.newKeySet();
    public static final Map<String, String> MISC = new ConcurrentSkipListMap<>();

    private Probe() {}

    public interface Step {
        String run() throws Throwable;
    }

    public static boolean step(String name, Step step) {
        try {
            STEPS.put(name, "ok: " + step.run());
            return true;
        } catch (Throwable t) {
            StringBuilder sb = new StringBuilder("FAIL: ").append(t);
            for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                sb.append(" <- caused by ").append(c);
            }
            STEPS.put(name, sb.toString());

            return false;
        }
    }
}
