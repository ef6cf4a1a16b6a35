package io.varve.metadata.controller;

import io.varve.metadata.Controller.AlterReassignments;
import io.varve.metadata.Controller.ListReassignments;
import io.varve.metadata.Controller.OngoingReassignment;
import io.varve.metadata.Controller.OngoingReassignments;
import io.varve.metadata.Controller.ReassignmentResult;
import io.varve.metadata.Controller.ReassignmentResults;
import io.varve.metadata.Controller.ReassignmentTarget;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.ReassignmentEnded;
import io.varve.metadata.controller.ControllerEvent.ReassignmentStarted;
import io.varve.metadata.controller.Reassignments.Move;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;

/**
 * Partition reassignment with Kafka's semantics (KIP-455, KRaft's ReplicationControlManager):
 *
 * <ul>
 *   <li>a target starts a move: the replicas become the target followed by the current replicas
 *       not in it (the union: new replicas are created on their nodes and fetch as followers), and
 *       the move is recorded; a target for a partition already moving replaces the move, from the
 *       current (union) replica set, keeping the replicas the move was adding as added when the new
 *       target adds none of its own (a resubmitted plan: {@link Move#replacedBy});
 *   <li>once every target replica is in the ISR ({@link #completeIfDone}, after each ISR change, or
 *       at once) the replicas become the target, the ISR keeps only target replicas, and a leader
 *       outside the target gives way to the first live in-sync target replica (leader epoch + 1);
 *       the removed replicas' nodes stop and delete them;
 *   <li>a cancellation reverts to the original replicas (ISR and leader likewise), refused when no
 *       original replica is in sync;
 *   <li>errors as Kafka's: UNKNOWN_TOPIC_OR_PARTITION, NO_REASSIGNMENT_IN_PROGRESS (cancelling none),
 *       INVALID_REPLICA_ASSIGNMENT (empty, duplicate or unregistered replicas),
 *       INVALID_REPLICATION_FACTOR (a size change when the request forbids it).
 * </ul>
 *
 * Every change bumps the partition epoch. Stateless; used by the controller actor, with {@code live}
 * the brokers that may lead (live and not shutting down).
 */
final class ReassignmentPlanner {
    private ReassignmentPlanner() {}

    static Outcome<ReassignmentResults> alter(
            MetadataImage image, Reassignments moves, AlterReassignments request, Set<Integer> live) {
        List<ReassignmentResult> results = new ArrayList<>();
        List<PartitionChange> changes = new ArrayList<>();
        List<ControllerEvent> moveEvents = new ArrayList<>();
        MetadataImage current = image;
        Reassignments currentMoves = moves;
        for (ReassignmentTarget target : request.targets()) {
            Validated<List<ControllerEvent>> planned =
                    plan(current, currentMoves, target, request.allowReplicationFactorChange(), live);
            results.add(new ReassignmentResult(target.topic(), target.partition(), planned.error(), planned.message()));
            if (planned.isOk()) {
                for (ControllerEvent event : planned.value()) {
                    if (event instanceof ControllerEvent.PartitionsChanged changed) {
                        changes.addAll(changed.changes());
                    } else {
                        moveEvents.add(event);
                    }
                    current = MetadataImageTransition.apply(current, event);
                    currentMoves = currentMoves.apply(event);
                }
            }
        }
        List<ControllerEvent> events = new ArrayList<>(EventChunks.changed(changes));
        events.addAll(moveEvents);
        return new Outcome<>(new ReassignmentResults(List.copyOf(results)), events);
    }

    private static Validated<List<ControllerEvent>> plan(
            MetadataImage image,
            Reassignments moves,
            ReassignmentTarget request,
            boolean allowRfChange,
            Set<Integer> live) {
        String topic = request.topic();
        int index = request.partition();
        PartitionRegistration partition =
                image.topic(topic).map(t -> t.partitions().get(index)).orElse(null);
        if (partition == null) {
            return Validated.reject(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unable to find partition " + topic + "-" + index + ".");
        }
        Optional<Move> moving = moves.of(topic, index);
        if (request.cancel()) {
            return moving.isEmpty()
                    ? Validated.reject(
                            Errors.NO_REASSIGNMENT_IN_PROGRESS,
                            "No ongoing reassignment for partition " + topic + "-" + index + ".")
                    : cancel(topic, partition, moving.get(), live);
        }
        Validated<List<List<Integer>>> checked = ReplicaAssignment.checkManual(
                List.of(request.replicas()), index, -1, image.registrations().keySet());
        if (!checked.isOk()) {
            return checked.rejection();
        }
        int rf =
                moving.map(m -> m.original().size()).orElse(partition.replicas().size());
        if (!allowRfChange && rf != request.replicas().size()) {
            return Validated.reject(
                    Errors.INVALID_REPLICATION_FACTOR,
                    "The replication factor is changed from " + rf + " to "
                            + request.replicas().size() + ".");
        }
        return Validated.ok(start(topic, partition, moving, List.copyOf(request.replicas()), live));
    }

    private static List<ControllerEvent> start(
            String topic,
            PartitionRegistration partition,
            Optional<Move> moving,
            List<Integer> target,
            Set<Integer> live) {
        Move move = moving.map(m -> m.replacedBy(partition.replicas(), target))
                .orElseGet(() -> new Move(partition.replicas(), target));
        // the union at the current epochs: whichever registration comes out bumps them once
        PartitionRegistration union = new PartitionRegistration(
                partition.partition(),
                move.union(),
                partition.isr(),
                partition.leader(),
                partition.leaderEpoch(),
                partition.partitionEpoch());
        Optional<PartitionRegistration> completed = complete(union, move, live);
        if (completed.isEmpty() && !union.equals(partition)) {
            union = withReplicas(partition, move.union(), partition.isr(), partition.leader());
        }
        List<ControllerEvent> events = new ArrayList<>();
        PartitionRegistration next = completed.orElse(union);
        if (!sameAssignment(next, partition)) {
            events.addAll(EventChunks.changed(List.of(new PartitionChange(topic, next))));
        }
        if (completed.isEmpty()) {
            events.add(new ReassignmentStarted(topic, partition.partition(), move.original(), move.target()));
        } else if (moving.isPresent()) {
            events.add(new ReassignmentEnded(topic, partition.partition()));
        }
        return events;
    }

    private static boolean sameAssignment(PartitionRegistration a, PartitionRegistration b) {
        return a.replicas().equals(b.replicas()) && a.isr().equals(b.isr()) && a.leader() == b.leader();
    }

    private static Validated<List<ControllerEvent>> cancel(
            String topic, PartitionRegistration partition, Move move, Set<Integer> live) {
        List<Integer> isr =
                partition.isr().stream().filter(move.original()::contains).toList();
        if (isr.isEmpty()) {
            return Validated.reject(
                    Errors.INVALID_REPLICA_ASSIGNMENT,
                    "Unable to revert partition " + topic + "-" + partition.partition() + " to its original replicas "
                            + move.original() + ": none of them is in the ISR " + partition.isr() + ".");
        }
        PartitionRegistration reverted =
                withReplicas(partition, move.original(), isr, leaderAmong(partition, move.original(), isr, live));
        return Validated.ok(List.of(
                EventChunks.changed(List.of(new PartitionChange(topic, reverted)))
                        .get(0),
                new ReassignmentEnded(topic, partition.partition())));
    }

    /**
     * After an ISR change of a moving partition: the events completing its move when every target
     * replica is now in sync, else none.
     */
    static List<ControllerEvent> completeIfDone(
            String topic, PartitionRegistration next, Reassignments moves, Set<Integer> live) {
        Optional<Move> moving = moves.of(topic, next.partition());
        if (moving.isEmpty()) {
            return List.of();
        }
        return complete(next, moving.get(), live)
                .map(done -> List.of(
                        EventChunks.changed(List.of(new PartitionChange(topic, done)))
                                .get(0),
                        (ControllerEvent) new ReassignmentEnded(topic, next.partition())))
                .orElse(List.of());
    }

    private static Optional<PartitionRegistration> complete(
            PartitionRegistration partition, Move move, Set<Integer> live) {
        if (!partition.isr().containsAll(move.target())) {
            return Optional.empty();
        }
        List<Integer> isr =
                partition.isr().stream().filter(move.target()::contains).toList();
        return Optional.of(
                withReplicas(partition, move.target(), isr, leaderAmong(partition, move.target(), isr, live)));
    }

    /** The current leader if it stays a replica in sync, else the first live in-sync one of {@code replicas}. */
    private static int leaderAmong(
            PartitionRegistration partition, List<Integer> replicas, List<Integer> isr, Set<Integer> live) {
        if (replicas.contains(partition.leader()) && isr.contains(partition.leader())) {
            return partition.leader();
        }
        for (int replica : replicas) {
            if (isr.contains(replica) && live.contains(replica)) {
                return replica;
            }
        }
        return Elections.NO_LEADER;
    }

    private static PartitionRegistration withReplicas(
            PartitionRegistration partition, List<Integer> replicas, List<Integer> isr, int leader) {
        return new PartitionRegistration(
                partition.partition(),
                List.copyOf(replicas),
                List.copyOf(isr),
                leader,
                leader == partition.leader() ? partition.leaderEpoch() : partition.leaderEpoch() + 1,
                partition.partitionEpoch() + 1);
    }

    static OngoingReassignments list(Reassignments moves, MetadataImage image, ListReassignments request) {
        List<OngoingReassignment> ongoing = new ArrayList<>();
        if (request.partitions() == null) {
            moves.byTopic()
                    .forEach((topic, partitions) ->
                            partitions.forEach((index, move) -> ongoing.add(ongoing(image, topic, index, move))));
        } else {
            for (Map.Entry<String, List<Integer>> named : request.partitions().entrySet()) {
                for (int index : named.getValue().stream().distinct().sorted().toList()) {
                    moves.of(named.getKey(), index)
                            .ifPresent(move -> ongoing.add(ongoing(image, named.getKey(), index, move)));
                }
            }
        }
        return new OngoingReassignments(List.copyOf(ongoing));
    }

    private static OngoingReassignment ongoing(MetadataImage image, String topic, int index, Move move) {
        List<Integer> replicas = image.topic(topic)
                .map(TopicImage::partitions)
                .map(partitions -> partitions.get(index))
                .map(PartitionRegistration::replicas)
                .orElse(move.union());
        return new OngoingReassignment(topic, index, replicas, move.adding(), move.removing());
    }
}
