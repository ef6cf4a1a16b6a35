package io.varve.metadata.controller;

import io.varve.metadata.VarveSerializable;
import io.varve.metadata.controller.ControllerEvent.ReassignmentEnded;
import io.varve.metadata.controller.ControllerEvent.ReassignmentStarted;
import io.varve.metadata.controller.ControllerEvent.TopicDeleted;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The partition moves in progress (Kafka's adding/removing replicas of a partition record, KIP-455),
 * kept beside the image in the controller's persistent state and snapshot: topic name to (partition
 * index to {@link Move}). Immutable; {@link #apply} is its event handler (a deleted topic's moves end
 * with it).
 */
public record Reassignments(Map<String, Map<Integer, Move>> byTopic) implements VarveSerializable {

    public static final Reassignments NONE = new Reassignments(Map.of());

    /**
     * One partition's move: from its {@code original} replicas to its {@code target} replicas. While
     * it runs, the registration's replicas are the target followed by the original replicas not in
     * it (Kafka's order).
     */
    public record Move(List<Integer> original, List<Integer> target) implements VarveSerializable {

        /** Target replicas not in the original set (Kafka's adding replicas). */
        public List<Integer> adding() {
            return target.stream().filter(r -> !original.contains(r)).toList();
        }

        /** Original replicas not in the target (Kafka's removing replicas). */
        public List<Integer> removing() {
            return original.stream().filter(r -> !target.contains(r)).toList();
        }

        /**
         * The move to {@code newTarget} that replaces this one, the partition's replicas being
         * {@code current} (this move's union), as KRaft replaces a reassignment: the new target's
         * replicas not yet in {@code current} are the ones being added; when it adds none (the same
         * plan resubmitted, as {@code kafka-reassign-partitions.sh --additional} does to change a
         * throttle), the replicas this move was adding stay the ones being added. Every other current
         * replica counts as original, so a cancellation keeps it and removes only those being added;
         * a resubmitted plan leaves the move as it was.
         */
        public Move replacedBy(List<Integer> current, List<Integer> newTarget) {
            List<Integer> added =
                    newTarget.stream().filter(r -> !current.contains(r)).toList();
            List<Integer> adding = added.isEmpty()
                    ? adding().stream().filter(newTarget::contains).toList()
                    : added;
            List<Integer> kept =
                    current.stream().filter(r -> !adding.contains(r)).toList();
            // this move's original replicas keep their order (a cancellation restores it)
            List<Integer> replaced =
                    new ArrayList<>(original.stream().filter(kept::contains).toList());
            kept.stream().filter(r -> !replaced.contains(r)).forEach(replaced::add);
            return new Move(List.copyOf(replaced), newTarget);
        }

        /** The replica set while the move runs. */
        public List<Integer> union() {
            List<Integer> union = new ArrayList<>(target);
            union.addAll(removing());
            return List.copyOf(union);
        }
    }

    public Optional<Move> of(String topic, int partition) {
        return Optional.ofNullable(byTopic.getOrDefault(topic, Map.of()).get(partition));
    }

    public boolean isEmpty() {
        return byTopic.isEmpty();
    }

    public Reassignments apply(ControllerEvent event) {
        if (event instanceof ReassignmentStarted started) {
            return with(started.topic(), started.partition(), new Move(started.original(), started.target()));
        } else if (event instanceof ReassignmentEnded ended) {
            return with(ended.topic(), ended.partition(), null);
        } else if (event instanceof TopicDeleted deleted && byTopic.containsKey(deleted.name())) {
            Map<String, Map<Integer, Move>> topics = new TreeMap<>(byTopic);
            topics.remove(deleted.name());
            return new Reassignments(Immutables.sortedCopy(topics));
        }
        return this;
    }

    private Reassignments with(String topic, int partition, Move move) {
        Map<Integer, Move> partitions = new TreeMap<>(byTopic.getOrDefault(topic, Map.of()));
        if (move == null) {
            partitions.remove(partition);
        } else {
            partitions.put(partition, new Move(List.copyOf(move.original()), List.copyOf(move.target())));
        }
        Map<String, Map<Integer, Move>> topics = new TreeMap<>(byTopic);
        if (partitions.isEmpty()) {
            topics.remove(topic);
        } else {
            topics.put(topic, Immutables.sortedCopy(partitions));
        }
        return new Reassignments(Immutables.sortedCopy(topics));
    }
}
