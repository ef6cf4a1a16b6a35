package io.varve.metadata.controller;

import io.varve.metadata.PartitionRegistration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.protocol.Errors;

/**
 * Chooses and checks the replicas of new partitions. Automatic placement goes round-robin over the
 * registered broker ids in ascending order, partition p starting at the (p mod n)-th broker, so
 * leaders (the first replica) spread evenly. Manual assignments are checked as Kafka checks them:
 * every replica a registered broker, none twice in one partition, one replication factor for all
 * partitions. Stateless.
 */
final class ReplicaAssignment {
    private ReplicaAssignment() {}

    static List<List<Integer>> roundRobin(List<Integer> sortedBrokerIds, int firstPartition, int count, int rf) {
        List<List<Integer>> assignments = new ArrayList<>(count);
        int brokers = sortedBrokerIds.size();
        for (int p = firstPartition; p < firstPartition + count; p++) {
            List<Integer> replicas = new ArrayList<>(rf);
            for (int r = 0; r < rf; r++) {
                replicas.add(sortedBrokerIds.get((p + r) % brokers));
            }
            assignments.add(List.copyOf(replicas));
        }
        return assignments;
    }

    /** Kafka's check that enough brokers exist for {@code rf} replicas (INVALID_REPLICATION_FACTOR). */
    static Validated<Integer> checkReplicationFactor(int rf, int registeredBrokers) {
        if (rf > registeredBrokers) {
            return Validated.reject(
                    Errors.INVALID_REPLICATION_FACTOR,
                    "Unable to replicate the partition " + rf + " time(s): The target replication factor of " + rf
                            + " cannot be reached because only " + registeredBrokers
                            + " broker(s) are registered.");
        }
        return Validated.ok(rf);
    }

    /**
     * Checks a manual assignment of partitions {@code firstPartition..} (in order) and returns it;
     * {@code expectedRf} is the topic's replication factor, or -1 to take the first partition's.
     */
    static Validated<List<List<Integer>>> checkManual(
            List<List<Integer>> assignments, int firstPartition, int expectedRf, Set<Integer> registeredBrokers) {
        int rf = expectedRf;
        for (int i = 0; i < assignments.size(); i++) {
            int partition = firstPartition + i;
            List<Integer> replicas = assignments.get(i);
            if (replicas == null || replicas.isEmpty()) {
                return invalid("The manual partition assignment of partition " + partition + " has no replicas.");
            }
            if (rf == -1) {
                rf = replicas.size();
            } else if (replicas.size() != rf) {
                return invalid("The manual partition assignment of partition " + partition + " has " + replicas.size()
                        + " replica(s), but the other partitions have " + rf + ".");
            }
            Validated<List<Integer>> checked = checkReplicas(partition, replicas, registeredBrokers);
            if (!checked.isOk()) {
                return checked.rejection();
            }
        }
        return Validated.ok(assignments.stream().map(List::copyOf).toList());
    }

    /** Partition index → replicas, required to cover exactly 0..n-1, as an ordered list. */
    static Validated<List<List<Integer>>> byIndex(Map<Integer, List<Integer>> assignments) {
        TreeMap<Integer, List<Integer>> sorted = new TreeMap<>(assignments);
        if (sorted.firstKey() != 0 || sorted.lastKey() != sorted.size() - 1) {
            return invalid("The manual partition assignment covers partitions " + sorted.keySet()
                    + ", but must cover 0 to " + (sorted.size() - 1) + " without gaps.");
        }
        return Validated.ok(new ArrayList<>(sorted.values()));
    }

    static PartitionRegistration registration(int partition, List<Integer> replicas) {
        return new PartitionRegistration(
                partition, List.copyOf(replicas), List.copyOf(replicas), replicas.get(0), 0, 0);
    }

    private static Validated<List<Integer>> checkReplicas(
            int partition, List<Integer> replicas, Set<Integer> registeredBrokers) {
        Set<Integer> seen = new HashSet<>();
        for (Integer broker : replicas) {
            if (!seen.add(broker)) {
                return invalid("The manual partition assignment of partition " + partition + " includes broker "
                        + broker + " more than once.");
            }
            if (!registeredBrokers.contains(broker)) {
                return invalid("The manual partition assignment of partition " + partition + " includes broker "
                        + broker + ", but no such broker is registered (registered: "
                        + sortedIds(registeredBrokers) + ").");
            }
        }
        return Validated.ok(replicas);
    }

    private static List<Integer> sortedIds(Set<Integer> ids) {
        return ids.stream().sorted().toList();
    }

    private static <T> Validated<T> invalid(String message) {
        return Validated.reject(Errors.INVALID_REPLICA_ASSIGNMENT, message);
    }
}
