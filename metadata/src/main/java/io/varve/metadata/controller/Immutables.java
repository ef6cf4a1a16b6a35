package io.varve.metadata.controller;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** Unmodifiable copies in key order, so images list topics, brokers and partitions sorted. */
final class Immutables {
    private Immutables() {}

    static <K extends Comparable<K>, V> NavigableMap<K, V> sortedCopy(Map<K, V> map) {
        return Collections.unmodifiableNavigableMap(new TreeMap<>(map));
    }
}
