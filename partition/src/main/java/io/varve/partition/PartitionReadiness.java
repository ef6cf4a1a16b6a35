package io.varve.partition;

import io.varve.metadata.VarveSerializable;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * How a node asks another whether partitions it leads are hosted there (their actors registered),
 * so CreateTopics and auto-creation answer when every leader across the cluster is ready. Each node
 * runs one endpoint actor listed with the receptionist under {@link #SERVICE_KEY}.
 */
public final class PartitionReadiness {
    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "varve-partition-readiness");

    private PartitionReadiness() {}

    /** Crosses nodes. */
    public sealed interface Command extends VarveSerializable {}

    /** Answered once every partition is hosted on the receiving node, or after {@code timeoutMs}. */
    public record AwaitHosted(List<TopicPartition> partitions, long timeoutMs, ActorRef<Hosted> replyTo)
            implements Command {}

    public record Hosted(boolean ready) implements VarveSerializable {}
}
