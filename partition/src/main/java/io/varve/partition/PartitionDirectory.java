package io.varve.partition;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where request handlers find the {@link PartitionActor} of a partition hosted on this node.
 * Implemented by the node's replica manager (actors module); safe to call from any thread.
 */
public interface PartitionDirectory {
    Optional<ActorRef<PartitionActor.Command>> lookup(TopicPartition tp);

    /**
     * Completes with {@code true} once every partition is ready at its leader — its actor registered
     * on the leader's node (here, or across the cluster), so messages sent to it are processed once
     * its log is open — or {@code false} after {@code timeout}. CreateTopics answers only after this,
     * so a topic is writable the moment it returns.
     */
    CompletionStage<Boolean> awaitHosted(Collection<TopicPartition> tps, Duration timeout);
}
