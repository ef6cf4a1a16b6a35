package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.transport.api.RequestContext;
import io.varve.transport.internal.Ask;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Asks one group's coordinator entity. A coordinator that does not answer in time is reported to
 * clients as COORDINATOR_NOT_AVAILABLE, which makes them look the coordinator up again and retry.
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
        return Ask.ask(
                coordinators.coordinator(groupId),
                command::apply,
                context.services().settings().askTimeout().plus(extra),
                context.services().scheduler());
    }
}
