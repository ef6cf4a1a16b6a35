package io.varve.txn.coordinator;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The markers a coordinator still owes for the transaction it is ending: the partitions and groups
 * not yet acknowledged. Transient (a restarted entity in a {@code Prepare*} state sends them all
 * again, which partitions accept as retries). Not thread-safe: confined to its entity.
 */
final class MarkerRound {
    private final Set<TopicPartition> partitions = new HashSet<>();
    private final Set<String> groups = new HashSet<>();
    private long round;
    private boolean active;

    /** Starts owing markers to these targets; returns the round, which tags the answers. */
    long start(Set<TopicPartition> toPartitions, Set<String> toGroups) {
        partitions.clear();
        partitions.addAll(toPartitions);
        groups.clear();
        groups.addAll(toGroups);
        active = true;
        return ++round;
    }

    boolean isActive() {
        return active;
    }

    boolean isCurrent(long answered) {
        return active && answered == round;
    }

    long round() {
        return round;
    }

    Set<TopicPartition> partitions() {
        return Set.copyOf(partitions);
    }

    Set<String> groups() {
        return Set.copyOf(groups);
    }

    void written(TopicPartition tp) {
        partitions.remove(tp);
    }

    void written(String group) {
        groups.remove(group);
    }

    boolean isDone() {
        return partitions.isEmpty() && groups.isEmpty();
    }

    void clear() {
        active = false;
        partitions.clear();
        groups.clear();
    }
}
