package io.varve.metadata.controller;

import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.PartitionsChanged;
import io.varve.metadata.controller.ControllerEvent.PartitionsCreated;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps every controller event to at most {@link #MAX_PARTITIONS} partitions, so each one (and each
 * delta pushed to the nodes) stays far below Artery's 256 KiB frame limit: a topic created with
 * more partitions becomes a {@link TopicCreated} with the first ones and {@link PartitionsCreated}
 * for the rest, and many partition changes become several {@link PartitionsChanged}. The controller
 * persists such a list atomically, so the split is invisible to readers of the image. Stateless.
 */
final class EventChunks {
    /** Partitions per event (Kryo writes one in about 40-60 bytes). */
    static final int MAX_PARTITIONS = 1000;

    private EventChunks() {}

    static List<ControllerEvent> split(List<ControllerEvent> events) {
        List<ControllerEvent> split = new ArrayList<>();
        for (ControllerEvent event : events) {
            if (event instanceof TopicCreated created && created.partitions().size() > MAX_PARTITIONS) {
                List<Map<Integer, PartitionRegistration>> parts = partitionChunks(created.partitions());
                split.add(new TopicCreated(created.name(), created.topicId(), parts.get(0), created.configs()));
                parts.subList(1, parts.size()).forEach(part -> split.add(new PartitionsCreated(created.name(), part)));
            } else if (event instanceof PartitionsCreated added
                    && added.partitions().size() > MAX_PARTITIONS) {
                partitionChunks(added.partitions())
                        .forEach(part -> split.add(new PartitionsCreated(added.topic(), part)));
            } else {
                split.add(event);
            }
        }
        return split;
    }

    /** Partition changes as events of at most {@link #MAX_PARTITIONS} each. */
    static List<ControllerEvent> changed(List<PartitionChange> changes) {
        List<ControllerEvent> events = new ArrayList<>();
        for (int from = 0; from < changes.size(); from += MAX_PARTITIONS) {
            events.add(new PartitionsChanged(
                    List.copyOf(changes.subList(from, Math.min(changes.size(), from + MAX_PARTITIONS)))));
        }
        return events;
    }

    private static List<Map<Integer, PartitionRegistration>> partitionChunks(Map<Integer, PartitionRegistration> all) {
        List<Map<Integer, PartitionRegistration>> chunks = new ArrayList<>();
        TreeMap<Integer, PartitionRegistration> current = new TreeMap<>();
        for (Map.Entry<Integer, PartitionRegistration> entry : new TreeMap<>(all).entrySet()) {
            current.put(entry.getKey(), entry.getValue());
            if (current.size() == MAX_PARTITIONS) {
                chunks.add(Immutables.sortedCopy(current));
                current = new TreeMap<>();
            }
        }
        if (!current.isEmpty()) {
            chunks.add(Immutables.sortedCopy(current));
        }
        return chunks;
    }

    /** How many partitions an event carries (for packing deltas). */
    static int partitionCount(ControllerEvent event) {
        if (event instanceof TopicCreated created) {
            return created.partitions().size();
        } else if (event instanceof PartitionsCreated added) {
            return added.partitions().size();
        } else if (event instanceof PartitionsChanged changed) {
            return changed.changes().size();
        }
        return 1;
    }
}
