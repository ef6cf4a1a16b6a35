package io.varve.txn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * When each transactional id must be looked at next, earliest first. Not thread-safe: confined to
 * the registry actor.
 */
final class Deadlines {
    private final TreeMap<Long, TreeSet<String>> byTime = new TreeMap<>();
    private final Map<String, Long> byId = new HashMap<>();

    /** Sets (or with {@code Long.MAX_VALUE}, removes) the deadline of {@code id}. */
    void set(String id, long deadlineMs) {
        remove(id);
        if (deadlineMs != Long.MAX_VALUE) {
            byId.put(id, deadlineMs);
            byTime.computeIfAbsent(deadlineMs, t -> new TreeSet<>()).add(id);
        }
    }

    void remove(String id) {
        Long previous = byId.remove(id);
        if (previous != null) {
            TreeSet<String> ids = byTime.get(previous);
            ids.remove(id);
            if (ids.isEmpty()) {
                byTime.remove(previous);
            }
        }
    }

    /** The earliest deadline, if any. */
    OptionalLong earliest() {
        return byTime.isEmpty() ? OptionalLong.empty() : OptionalLong.of(byTime.firstKey());
    }

    /** The ids whose deadline is at or before {@code nowMs}, earliest first. */
    List<String> due(long nowMs) {
        List<String> due = new ArrayList<>();
        byTime.headMap(nowMs, true).values().forEach(due::addAll);
        return due;
    }

    /** Every id with a deadline. */
    List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    int size() {
        return byId.size();
    }
}
