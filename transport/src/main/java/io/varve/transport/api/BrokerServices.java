package io.varve.transport.api;

import io.varve.metadata.Controller;
import io.varve.metadata.MetadataCache;
import io.varve.partition.PartitionDirectory;
import io.varve.partition.replication.ReplicationQuota;
import io.varve.transport.TransportSettings;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.pid.ProducerIdManager;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * The node's services a handler may use, built once by the node (actors module) and shared by all
 * connections. Every member is thread-safe.
 *
 * @param nodeId this node's broker id
 * @param metadata the node's metadata image, read without messaging
 * @param partitions the partition actors hosted here
 * @param controller the controller singleton's proxy
 * @param producerIds this node's producer-id manager
 * @param topicConfigs broker defaults and validation for topic configs
 * @param scheduler for {@code ask} timeouts and delayed answers
 * @param settings transport settings (listener, limits, timeouts)
 * @param transactions the transaction coordinators (null where a test runs without them: transactional
 *     requests then get COORDINATOR_NOT_AVAILABLE)
 * @param leaderQuota this node's leader replication throttle ({@code leader.replication.throttled.rate}),
 *     shared by every follower's fetch it answers
 */
public record BrokerServices(
        int nodeId,
        MetadataCache metadata,
        PartitionDirectory partitions,
        ActorRef<Controller.Command> controller,
        ActorRef<ProducerIdManager.Command> producerIds,
        TopicConfigs topicConfigs,
        Scheduler scheduler,
        TransportSettings settings,
        TransactionCoordinators transactions,
        ReplicationQuota leaderQuota) {

    /** Services without transaction coordinators. */
    public BrokerServices(
            int nodeId,
            MetadataCache metadata,
            PartitionDirectory partitions,
            ActorRef<Controller.Command> controller,
            ActorRef<ProducerIdManager.Command> producerIds,
            TopicConfigs topicConfigs,
            Scheduler scheduler,
            TransportSettings settings) {
        this(
                nodeId,
                metadata,
                partitions,
                controller,
                producerIds,
                topicConfigs,
                scheduler,
                settings,
                null,
                new ReplicationQuota());
    }
}
