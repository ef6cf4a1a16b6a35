package io.varve.transport.api.admin.partitions;

import io.varve.metadata.PartitionRegistration;
import io.varve.partition.PartitionActor;
import io.varve.transport.api.BrokerServices;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Finds the local leader replica of a partition, or the error Kafka answers: an unknown topic or
 * partition is UNKNOWN_TOPIC_OR_PARTITION; a partition led elsewhere, or not (yet) hosted here, is
 * NOT_LEADER_OR_FOLLOWER. Stateless.
 */
final class LeaderLookup {
    /** Exactly one of {@code leader} and {@code error} is set; {@code message} states why. */
    record Found(ActorRef<PartitionActor.Command> leader, Errors error, String message) {}

    private LeaderLookup() {}

    static Found find(BrokerServices services, TopicPartition tp) {
        Optional<PartitionRegistration> registration =
                services.metadata().image().partition(tp);
        if (registration.isEmpty()) {
            return new Found(null, Errors.UNKNOWN_TOPIC_OR_PARTITION, "Partition " + tp + " does not exist");
        }
        int leader = registration.get().leader();
        if (leader != services.nodeId()) {
            return new Found(
                    null,
                    Errors.NOT_LEADER_OR_FOLLOWER,
                    "Node " + services.nodeId() + " is not the leader of " + tp + " (leader: " + leader + ")");
        }
        Optional<ActorRef<PartitionActor.Command>> hosted =
                services.partitions().lookup(tp);
        return hosted.map(ref -> new Found(ref, Errors.NONE, null))
                .orElseGet(() -> new Found(
                        null,
                        Errors.NOT_LEADER_OR_FOLLOWER,
                        "Partition " + tp + " is not hosted on node " + services.nodeId() + " yet"));
    }
}
