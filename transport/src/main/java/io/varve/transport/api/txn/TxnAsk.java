package io.varve.transport.api.txn;

import io.varve.metadata.Ask;
import io.varve.transport.api.RequestContext;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.TxnSettings;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Asks one transactional id's coordinator entity, waiting the transport's ask timeout capped at {@code
 * varve.txn.coordinator-ask-timeout} (below clients' request timeout, so they retry rather than time
 * out when the entity's node died and its shard has not moved yet). A request a
 * producer (or a partition leader) sends to the coordinator itself goes through {@link
 * #askAsCoordinator}: on a node that does not coordinate the id it fails at once with Kafka's {@link
 * NotCoordinatorException}. {@link #error} turns a failure into the answer: NOT_COORDINATOR, or
 * COORDINATOR_NOT_AVAILABLE for a coordinator that does not answer in time (its shard is moving, it
 * is recovering, its node is gone); both make clients look the coordinator up again and retry.
 * Stateless.
 */
public final class TxnAsk {
    private TxnAsk() {}

    /** Asks the id's entity wherever it runs (a group coordinator asking about a transaction). */
    static <R> CompletableFuture<R> ask(
            RequestContext context,
            String transactionalId,
            Function<ActorRef<R>, TransactionCoordinator.Command> command) {
        TransactionCoordinators coordinators = context.services().transactions();
        return Ask.ask(
                coordinators.coordinator(transactionalId),
                command::apply,
                timeout(context.services().settings().askTimeout(), coordinators.settings()),
                context.services().scheduler());
    }

    /** Asks the id's entity if this node is its coordinator (FindCoordinator's answer for it). */
    public static <R> CompletableFuture<R> askAsCoordinator(
            RequestContext context,
            String transactionalId,
            Function<ActorRef<R>, TransactionCoordinator.Command> command) {
        OptionalInt node = context.services().transactions().coordinatorNodeOf(transactionalId);
        int self = context.services().nodeId();
        if (node.isPresent() && node.getAsInt() != self) {
            return CompletableFuture.failedFuture(new NotCoordinatorException("node " + self
                    + " is not the coordinator of transactional id " + transactionalId + " (node "
                    + node.getAsInt() + " is)"));
        }
        return ask(context, transactionalId, command);
    }

    /** The transport's ask timeout, capped at the coordinator's ({@code coordinator-ask-timeout}). */
    static Duration timeout(Duration askTimeout, TxnSettings txn) {
        Duration coordinator = txn.coordinatorAskTimeout();
        return askTimeout.compareTo(coordinator) < 0 ? askTimeout : coordinator;
    }

    /** The error code for a failed ask: NOT_COORDINATOR, else COORDINATOR_NOT_AVAILABLE. */
    public static Errors error(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof NotCoordinatorException ? Errors.NOT_COORDINATOR : Errors.COORDINATOR_NOT_AVAILABLE;
    }

    /** Whether this node runs transaction coordinators (tests may run without). */
    static boolean available(RequestContext context) {
        return context.services().transactions() != null;
    }
}
