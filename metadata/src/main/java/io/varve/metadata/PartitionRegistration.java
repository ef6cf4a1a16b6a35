package io.varve.metadata;

import java.util.List;

/**
 * The controller's record of one partition: its replicas, the in-sync replicas, the leader and the
 * leader epoch (bumped at every leader change), and the partition epoch (bumped at every change).
 */
public record PartitionRegistration(
        int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch)
        implements VarveSerializable {}
