package io.varve.transport.api.txn;

import io.varve.transport.api.RequestContext;
import io.varve.transport.internal.Ask;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.TransactionCoordinators;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Asks one transactional id's coordinator entity, with the transport's ask timeout. Handlers map a
 * missing answer (the entity is recovering or its node is gone) to COORDINATOR_NOT_AVAILABLE, which
 * makes clients look the coordinator up again and retry. Stateless.
 */
final class TxnAsk {
    private TxnAsk() {}

    static <R> CompletableFuture<R> ask(
            RequestContext context,
            String transactionalId,
            Function<ActorRef<R>, TransactionCoordinator.Command> command) {
        TransactionCoordinators coordinators = context.services().transactions();
        return Ask.ask(
                coordinators.coordinator(transactionalId),
                command::apply,
                context.services().settings().askTimeout(),
                context.services().scheduler());
    }

    /** Whether this node runs transaction coordinators (tests may run without). */
    static boolean available(RequestContext context) {
        return context.services().transactions() != null;
    }
}
