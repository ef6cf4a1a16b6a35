package io.varve.it.sweep;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The (API key, version) pairs the sweep got a decodable answer for, across all its connections; the
 * sweep's last check compares it with what ApiVersions advertised. Used from the test thread only.
 */
final class Coverage {
    private final Map<ApiKeys, Set<Short>> exercised = new TreeMap<>();

    void record(ApiKeys key, short version) {
        exercised.computeIfAbsent(key, k -> new TreeSet<>()).add(version);
    }

    /** A copy: key to the sorted versions exercised. */
    Map<ApiKeys, Set<Short>> exercised() {
        Map<ApiKeys, Set<Short>> copy = new TreeMap<>();
        exercised.forEach((key, versions) -> copy.put(key, new TreeSet<>(versions)));
        return copy;
    }
}
