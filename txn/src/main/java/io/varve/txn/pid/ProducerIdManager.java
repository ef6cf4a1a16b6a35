package io.varve.txn.pid;

import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Hands out producer ids on one node for InitProducerId, from blocks the controller allocates
 * ({@code Controller.AllocateProducerIds}); asks for the next block before the current one runs
 * out, so a producer rarely waits for the controller. Local to its node.
 */
public final class ProducerIdManager {
    private ProducerIdManager() {}

    public sealed interface Command {}

    public record GenerateProducerId(ActorRef<GeneratedProducerId> replyTo) implements Command {}

    /** {@code producerId} is -1 unless {@code error} is NONE. */
    public record GeneratedProducerId(long producerId, Errors error) {}
}
