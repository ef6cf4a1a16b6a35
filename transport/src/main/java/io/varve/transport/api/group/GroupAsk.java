package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.metadata.Ask;
import io.varve.transport.api.RequestContext;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Asks one group's coordinator entity, when this node is the group's coordinator; otherwise the ask
 * fails at once with Kafka's {@link NotCoordinatorException} (clients look the coordinator up again).
 * {@link #error} turns a failure into the answer: NOT_COORDINATOR, or COORDINATOR_NOT_AVAILABLE for a
 * coordinator that does not answer in time, which also makes clients look it up again and retry.
 */
final class GroupAsk {
    private GroupAsk() {}

    static <R> CompletionStage<R> ask(
            GroupCoordinators coordinators,
            RequestContext context,
            String groupId,
            Function<ActorRef<R>, GroupCoordinator.Command> command) {
        return ask(coordinators, context, groupId, command, Duration.ZERO);
    }

    /** With {@code extra} on top of the ask timeout: JoinGroup waits up to the rebalance timeout. */
    static <R> CompletionStage<R> ask(
            GroupCoordinators coordinators,
            RequestContext context,
            String groupId,
            Function<ActorRef<R>, GroupCoordinator.Command> command,
            Duration extra) {
        OptionalInt node = coordinators.coordinatorNodeOf(groupId);
        int self = context.services().nodeId();
        if (node.isPresent() && node.getAsInt() != self) {
            return CompletableFuture.failedFuture(new NotCoordinatorException("node " + self
                    + " is not the coordinator of group " + groupId + " (node " + node.getAsInt() + " is)"));
        }
        return Ask.ask(
                coordinators.coordinator(groupId),
                command::apply,
                context.services().settings().askTimeout().plus(extra),
                context.services().scheduler());
    }

    /** The error code for a failed ask: NOT_COORDINATOR, else COORDINATOR_NOT_AVAILABLE. */
    static Errors error(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof NotCoordinatorException ? Errors.NOT_COORDINATOR : Errors.COORDINATOR_NOT_AVAILABLE;
    }
}
