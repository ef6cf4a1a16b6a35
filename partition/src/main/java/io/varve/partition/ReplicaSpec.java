package io.varve.partition;

import io.varve.metadata.PartitionRegistration;
import io.varve.partition.replication.ReplicationContext;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogDirectory;
import java.time.Clock;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * What one partition actor is opened with: where its log lives, the topic's config and the
 * controller's registration, and the node's collaborators. Built by the replica manager (and by
 * tests) before spawning {@link PartitionActor#create}; immutable, so it may be built on any thread.
 *
 * @param replication the node's controller and fetchers; {@link ReplicationContext#standalone()} on
 *     a single node
 * @param verifier what a leader checks transactional appends with (KIP-890); {@link
 *     TransactionVerifier#DISABLED} where no coordinator is reachable
 * @param clock what the log stamps and measures time with
 */
public record ReplicaSpec(
        LogDirectory logDirectory,
        TopicPartition tp,
        Uuid topicId,
        LogConfig config,
        PartitionRegistration registration,
        int localNodeId,
        PartitionSettings settings,
        ReplicationContext replication,
        TransactionVerifier verifier,
        Clock clock) {

    /** A replica that replicates nothing and verifies no transaction, on the system clock. */
    public static ReplicaSpec standalone(
            LogDirectory logDirectory,
            TopicPartition tp,
            Uuid topicId,
            LogConfig config,
            PartitionRegistration registration,
            int localNodeId,
            PartitionSettings settings) {
        return new ReplicaSpec(
                logDirectory,
                tp,
                topicId,
                config,
                registration,
                localNodeId,
                settings,
                ReplicationContext.standalone(),
                TransactionVerifier.DISABLED,
                Clock.systemUTC());
    }

    /** This replica, replicating through {@code replication}. */
    public ReplicaSpec replicatingThrough(ReplicationContext replication) {
        return new ReplicaSpec(
                logDirectory, tp, topicId, config, registration, localNodeId, settings, replication, verifier, clock);
    }

    /** This replica, checking transactional appends with {@code verifier}. */
    public ReplicaSpec verifiedBy(TransactionVerifier verifier) {
        return new ReplicaSpec(
                logDirectory, tp, topicId, config, registration, localNodeId, settings, replication, verifier, clock);
    }
}
