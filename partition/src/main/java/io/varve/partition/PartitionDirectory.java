package io.varve.partition;

import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where request handlers find the {@link PartitionActor} of a partition hosted on this node.
 * Implemented by the node's replica manager (actors module); safe to call from any thread.
 */
public interface PartitionDirectory {
    Optional<ActorRef<PartitionActor.Command>> lookup(TopicPartition tp);
}
