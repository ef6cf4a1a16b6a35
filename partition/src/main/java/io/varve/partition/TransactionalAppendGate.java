package io.varve.partition;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.TxnVerified;
import io.varve.storage.producer.ProducerEntry;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Where a leader holds a transactional producer's first batch of a transaction until its
 * coordinator confirms the partition is in the transaction (transaction version 1) or has added it
 * (version 2): KIP-890's defence against hanging transactions. A producer that already has a
 * transaction open here at the batch's epoch passes straight through. The answer comes back to the
 * actor as {@link TxnVerified}; see {@link TransactionVerifications} for the queueing and guards.
 *
 * <p>Not thread-safe: owned by the {@link LeaderBehavior}, on its actor.
 */
final class TransactionalAppendGate {
    private final ActorContext<Command> context;
    private final HostedReplica replica;
    private final TransactionVerifications<Append> verifications = new TransactionVerifications<>();

    /**
     * The coordinator's verdict on a held append: a rejection, or none (append it); and the
     * producer's appends that queued behind it, to be offered to the gate again in order.
     */
    record Verdict(Optional<Rejection> rejection, List<Append> queued) {}

    TransactionalAppendGate(ActorContext<Command> context, HostedReplica replica) {
        this.context = context;
        this.replica = replica;
    }

    /**
     * Whether the gate takes {@code append}: it waits for the coordinator, queues behind another
     * check of its producer, or was answered with {@code reject}. False means append it now.
     */
    boolean holds(Append append, BiConsumer<Append, Rejection> reject) {
        RecordBatch batch = append.transactionalId() == null ? null : firstTransactionalBatch(append);
        if (batch == null) {
            return false;
        }
        long producerId = batch.producerId();
        if (verifications.isVerifying(producerId)) {
            verifications.enqueue(producerId, append);
            return true;
        }
        if (replica.log().producerState().hasOngoingTransaction(producerId, batch.producerEpoch())) {
            return false;
        }
        Optional<ProducerEntry> entry = replica.log().producerState().entry(producerId);
        if (entry.isPresent() && batch.producerEpoch() < entry.get().producerEpoch()) {
            reject.accept(
                    append,
                    new Rejection(
                            Errors.INVALID_PRODUCER_EPOCH,
                            "epoch " + batch.producerEpoch() + " of producer " + producerId + " is older than "
                                    + entry.get().producerEpoch() + " in " + replica.tp()));
            return true;
        }
        boolean add = append.verification().supportsEpochBump();
        long guard = verifications.start(producerId, batch.producerEpoch(), add);
        context.pipeToSelf(
                replica.verifier()
                        .verify(append.transactionalId(), producerId, batch.producerEpoch(), replica.tp(), add),
                (error, failure) -> new TxnVerified(
                        append, producerId, guard, failure == null ? error : Errors.COORDINATOR_NOT_AVAILABLE));
        return true;
    }

    /** The coordinator answered the check of {@code verified}'s append. */
    Verdict onVerified(TxnVerified verified) {
        Optional<TransactionVerifications.Finished<Append>> finished =
                verifications.finish(verified.producerId(), verified.guard());
        if (finished.isEmpty()) {
            // the check began in an earlier leadership term of this actor
            return new Verdict(Optional.of(replica.notLeader()), List.of());
        }
        Optional<Rejection> rejection = TxnAppendChecks.afterVerification(
                verified, finished.get().guardValid(), replica.log().producerState(), replica.tp());
        return new Verdict(rejection, finished.get().queued());
    }

    /** A marker of the producer is being written: a check of it in flight no longer holds. */
    void onMarker(long producerId, short producerEpoch) {
        verifications.onMarker(producerId, producerEpoch);
    }

    /** Leadership ends: every queued append, to be answered by the caller. */
    List<Append> drain() {
        return verifications.drain();
    }

    private static RecordBatch firstTransactionalBatch(Append append) {
        for (MutableRecordBatch batch : append.records().batches()) {
            if (batch.isTransactional() && batch.hasProducerId()) {
                return batch;
            }
        }
        return null;
    }
}
