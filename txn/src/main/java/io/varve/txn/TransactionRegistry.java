package io.varve.txn;

import io.varve.metadata.LocalOnly;
import io.varve.metadata.VarveSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * One per node: what this node's transaction coordinators reported about their ids (state,
 * producer, when the transaction started) and when each must be looked at next (an open
 * transaction's timeout, an idle id's expiration). It answers ListTransactions, and at each
 * deadline it sends the id's entity {@link TransactionCoordinator.CheckDeadline} through sharding,
 * which starts a passivated entity again: so timeouts survive passivation. On start it wakes every
 * transactional id found in the journal (in a cluster: those whose shard belongs on this node, and
 * again whenever the live brokers change, see {@link PlacementChanged}), so they survive node
 * restarts and the loss of the node that coordinated them too. Runs on the default
 * dispatcher and never blocks; its state is rebuilt from the entities, never persisted.
 */
public final class TransactionRegistry {
    private TransactionRegistry() {}

    public sealed interface Command {}

    /**
     * An entity's report: its id's listing (null: the id is gone) and its next deadline ({@code
     * Long.MAX_VALUE}: none).
     */
    public record Track(String transactionalId, TransactionListing listing, long deadlineMs)
            implements Command, VarveSerializable {}

    /**
     * ListTransactions: ids in one of {@code states} (Kafka names; empty: any), of one of {@code
     * producerIds} (empty: any), whose transaction started more than {@code durationMs} ago (-1: any;
     * as in Kafka an id with no open transaction, start -1, passes), whose whole id matches {@code
     * idPattern} (a Java regex; null or empty: any).
     */
    public record ListTransactions(
            Set<String> states, Set<Long> producerIds, long durationMs, String idPattern, ActorRef<Listing> replyTo)
            implements Command, LocalOnly {}

    /** The matching ids by id, or {@code INVALID_REGULAR_EXPRESSION} for a pattern that is not one. */
    public record Listing(Errors error, List<TransactionListing> transactions) implements LocalOnly {}

    /**
     * The live brokers changed, so the transactional ids whose coordinator shard belongs on this
     * node did: {@code coordinatedHere} says which. Ids no longer placed here are dropped (the node
     * they moved to lists them); the journal's ids placed here are looked at, and poked again every
     * retry interval until their entity reports: the coordinators of a node that died recover here,
     * so their open transactions still time out.
     */
    public record PlacementChanged(Predicate<String> coordinatedHere) implements Command, LocalOnly {}

    /** Timer: the earliest deadline is due. */
    record Tick() implements Command, LocalOnly {}

    /** The ids found in the journal on start, or why they could not be listed. */
    record IdsListed(List<String> ids, Throwable failure) implements Command, LocalOnly {}

    /** One id as ListTransactions reports it; {@code txnStartTimestamp} -1 with no open transaction. */
    public record TransactionListing(String transactionalId, long producerId, String state, long txnStartTimestamp)
            implements VarveSerializable {}

    /**
     * @param coordinators the entity of an id (a sharding {@code EntityRef})
     * @param transactionalIds the ids with a journal, listed once on start
     */
    public static Behavior<Command> create(
            Function<String, RecipientRef<TransactionCoordinator.Command>> coordinators,
            Supplier<CompletionStage<List<String>>> transactionalIds,
            Duration retryInterval,
            LongSupplier clock) {
        return RegistryBehavior.create(coordinators, transactionalIds, retryInterval, clock);
    }
}
