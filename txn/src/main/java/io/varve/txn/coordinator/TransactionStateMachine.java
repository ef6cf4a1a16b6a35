package io.varve.txn.coordinator;

import io.varve.txn.TransactionState;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Kafka's transaction coordinator rules for one transactional id, as pure functions of the current
 * {@link TransactionMetadata} (null before InitProducerId ever succeeded, or after the id expired)
 * and a request: InitProducerId with fencing and the KIP-360 epoch bump, AddPartitionsToTxn /
 * AddOffsetsToTxn, KIP-890 verification, EndTxn for transaction versions 1 and 2 (a bumped epoch
 * per transaction, retries recognised by it, the epoch overflow rotating the producer id), the
 * timeout's fencing abort, completion after the markers and expiration. Stateless and unit-tested
 * without actors; the entity persists what it decides.
 */
public final class TransactionStateMachine {
    private static final short NO_EPOCH = RecordBatch.NO_PRODUCER_EPOCH;
    private static final long NO_ID = RecordBatch.NO_PRODUCER_ID;

    private final long maxTimeoutMs;
    private final long idExpirationMs;
    private final short serverTransactionVersion;

    /**
     * @param maxTimeoutMs {@code transaction.max.timeout.ms}
     * @param idExpirationMs {@code transactional.id.expiration.ms}
     * @param serverTransactionVersion the finalized {@code transaction.version}, which the
     *     coordinator's own aborts (timeouts, fencing) use
     */
    public TransactionStateMachine(long maxTimeoutMs, long idExpirationMs, short serverTransactionVersion) {
        this.maxTimeoutMs = maxTimeoutMs;
        this.idExpirationMs = idExpirationMs;
        this.serverTransactionVersion = serverTransactionVersion;
    }

    // ---- InitProducerId ----

    /**
     * InitProducerId: a new id gets a fresh producer id at epoch 0; an existing one gets its epoch
     * bumped (rotating the producer id when the epoch is exhausted). {@code expectedProducerId} /
     * {@code expectedEpoch} (-1: none) are the KIP-360 recovery of a known producer. An open
     * transaction is aborted first with a fencing epoch bump and answered {@code
     * CONCURRENT_TRANSACTIONS}, which the producer retries.
     */
    public Outcome initProducerId(
            TransactionMetadata current,
            String transactionalId,
            int txnTimeoutMs,
            long expectedProducerId,
            short expectedEpoch,
            long nowMs,
            OptionalLong freshProducerId) {
        if (txnTimeoutMs <= 0 || txnTimeoutMs > maxTimeoutMs) {
            return Outcome.failed(Errors.INVALID_TRANSACTION_TIMEOUT);
        }
        TransactionMetadata metadata = current;
        if (metadata == null || metadata.state() == TransactionState.DEAD) {
            if (freshProducerId.isEmpty()) {
                return Outcome.needProducerId();
            }
            metadata = created(transactionalId, freshProducerId.getAsLong(), txnTimeoutMs, nowMs);
            freshProducerId = OptionalLong.empty();
        }
        boolean expected = expectedProducerId != NO_ID;
        if (expected && !isValidProducerId(metadata, expectedProducerId, expectedEpoch)) {
            return Outcome.failed(Errors.PRODUCER_FENCED);
        }
        return switch (metadata.state()) {
            case PREPARE_COMMIT, PREPARE_ABORT -> Outcome.failed(Errors.CONCURRENT_TRANSACTIONS);
            case ONGOING -> Outcome.transitThenFail(fenceAndAbort(metadata, nowMs), Errors.CONCURRENT_TRANSACTIONS);
            case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT -> bumpOrRotate(
                    metadata, txnTimeoutMs, expected, expectedEpoch, nowMs, freshProducerId);
            case DEAD, PREPARE_EPOCH_FENCE -> throw new IllegalStateException(
                    transactionalId + " is in state " + metadata.state());
        };
    }

    private static TransactionMetadata created(String transactionalId, long producerId, int txnTimeoutMs, long nowMs) {
        return new TransactionMetadata(
                transactionalId,
                producerId,
                NO_ID,
                NO_ID,
                NO_EPOCH,
                NO_EPOCH,
                txnTimeoutMs,
                TransactionState.EMPTY,
                Set.of(),
                Set.of(),
                -1L,
                nowMs,
                (short) 0);
    }

    /**
     * KIP-360: a request naming a producer is fenced unless the id was just created, names the
     * current producer id, or names the previous one at an exhausted epoch (a retry of a rotation).
     */
    private static boolean isValidProducerId(TransactionMetadata metadata, long producerId, short epoch) {
        return metadata.producerEpoch() == NO_EPOCH
                || producerId == metadata.producerId()
                || (producerId == metadata.prevProducerId() && epoch >= TransactionMetadata.EXHAUSTED_EPOCH);
    }

    private Outcome bumpOrRotate(
            TransactionMetadata metadata,
            int txnTimeoutMs,
            boolean expected,
            short expectedEpoch,
            long nowMs,
            OptionalLong freshProducerId) {
        if (metadata.isProducerEpochExhausted() && (!expected || expectedEpoch == metadata.producerEpoch())) {
            if (freshProducerId.isEmpty()) {
                return Outcome.needProducerId();
            }
            TransactionMetadata rotated = emptied(metadata, txnTimeoutMs, nowMs)
                    .producerId(freshProducerId.getAsLong())
                    .epochs((short) 0, expected ? metadata.producerEpoch() : NO_EPOCH)
                    .build();
            return Outcome.transit(rotated, rotated.producerId(), rotated.producerEpoch());
        }
        short bumped = (short) (metadata.producerEpoch() + 1);
        short epoch;
        short lastEpoch;
        if (!expected) {
            epoch = bumped;
            lastEpoch = NO_EPOCH;
        } else if (metadata.producerEpoch() == NO_EPOCH || expectedEpoch == metadata.producerEpoch()) {
            epoch = bumped;
            lastEpoch = metadata.producerEpoch();
        } else if (expectedEpoch == metadata.lastProducerEpoch()) {
            // a retry of a bump whose answer the producer lost
            epoch = metadata.producerEpoch();
            lastEpoch = metadata.lastProducerEpoch();
        } else {
            return Outcome.failed(Errors.PRODUCER_FENCED);
        }
        TransactionMetadata next =
                emptied(metadata, txnTimeoutMs, nowMs).epochs(epoch, lastEpoch).build();
        return Outcome.transit(next, next.producerId(), next.producerEpoch());
    }

    private static TransactionMetadata.Transition emptied(TransactionMetadata metadata, int txnTimeoutMs, long nowMs) {
        return metadata.to(TransactionState.EMPTY)
                .txnTimeoutMs(txnTimeoutMs)
                .contents(Set.of(), Set.of())
                .txnStartTimestamp(-1L)
                .updatedAt(nowMs);
    }

    /**
     * The coordinator's own abort of an open transaction (a new producer instance, or the timeout):
     * Kafka's {@code PrepareEpochFence} bumps the epoch, then {@code PrepareAbort} with the server's
     * transaction version (which bumps it once more with version 2), so the old instance is fenced.
     */
    public TransactionMetadata fenceAndAbort(TransactionMetadata metadata, long nowMs) {
        short fenced = metadata.producerEpoch() == Short.MAX_VALUE
                ? metadata.producerEpoch()
                : (short) (metadata.producerEpoch() + 1);
        TransactionMetadata.Transition abort = metadata.to(TransactionState.PREPARE_ABORT)
                .updatedAt(nowMs)
                .clientTransactionVersion(serverTransactionVersion);
        if (serverTransactionVersion >= 2 && fenced < Short.MAX_VALUE) {
            abort.epochs((short) (fenced + 1), fenced);
        } else {
            abort.epochs(fenced, NO_EPOCH);
        }
        return abort.build();
    }

    // ---- AddPartitionsToTxn / AddOffsetsToTxn and KIP-890 verification ----

    /**
     * Adds partitions and consumer groups to the producer's transaction, opening one if none is
     * ({@code Ongoing}). Already in an open transaction: nothing to persist.
     */
    public Outcome add(
            TransactionMetadata current,
            long producerId,
            short producerEpoch,
            Set<TopicPartition> partitions,
            Set<String> groups,
            short transactionVersion,
            long nowMs) {
        Errors error = checkProducer(current, producerId, producerEpoch);
        if (error != Errors.NONE) {
            return Outcome.failed(error);
        }
        if (current.state() == TransactionState.ONGOING
                && current.partitions().containsAll(partitions)
                && current.groups().containsAll(groups)) {
            return Outcome.unchanged(current);
        }
        Set<TopicPartition> allPartitions = new HashSet<>(current.partitions());
        allPartitions.addAll(partitions);
        Set<String> allGroups = new HashSet<>(current.groups());
        allGroups.addAll(groups);
        boolean opens = current.state() != TransactionState.ONGOING;
        TransactionMetadata next = current.to(TransactionState.ONGOING)
                .contents(allPartitions, allGroups)
                .txnStartTimestamp(opens ? nowMs : current.txnStartTimestamp())
                .updatedAt(nowMs)
                .clientTransactionVersion(transactionVersion)
                .build();
        return Outcome.transit(next, next.producerId(), next.producerEpoch());
    }

    /**
     * Verify-only (AddPartitionsToTxn v4+ with {@code verifyOnly}): per partition {@code NONE} when it
     * is in the producer's transaction, {@code TRANSACTION_ABORTABLE} when not; a producer error
     * applies to all.
     */
    public Map<TopicPartition, Errors> verify(
            TransactionMetadata current, long producerId, short producerEpoch, Set<TopicPartition> partitions) {
        Errors error = checkProducer(current, producerId, producerEpoch);
        return partitions.stream()
                .collect(Collectors.toMap(
                        Function.identity(),
                        tp -> error != Errors.NONE
                                ? error
                                : current.partitions().contains(tp) ? Errors.NONE : Errors.TRANSACTION_ABORTABLE));
    }

    /** Verify-only for a consumer group's offsets (TxnOffsetCommit before v5). */
    public Errors verifyGroup(TransactionMetadata current, long producerId, short producerEpoch, String groupId) {
        Errors error = checkProducer(current, producerId, producerEpoch);
        if (error != Errors.NONE) {
            return error;
        }
        return current.groups().contains(groupId) ? Errors.NONE : Errors.TRANSACTION_ABORTABLE;
    }

    private static Errors checkProducer(TransactionMetadata current, long producerId, short producerEpoch) {
        if (current == null || current.state() == TransactionState.DEAD || current.producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (current.producerEpoch() != producerEpoch) {
            return Errors.PRODUCER_FENCED;
        }
        return current.state().isPreparing() ? Errors.CONCURRENT_TRANSACTIONS : Errors.NONE;
    }

    // ---- EndTxn ----

    /**
     * EndTxn: an open transaction moves to {@code PrepareCommit} / {@code PrepareAbort} (the markers
     * follow); retries of a decision already made are answered without a change. With transaction
     * version 2 ({@code transactionVersion >= 2}, EndTxn v5) the epoch is bumped with every end and
     * an abort is allowed with no transaction open; a success answers the producer id and epoch the
     * transaction completes with.
     */
    public Outcome endTxn(
            TransactionMetadata current,
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            long nowMs,
            OptionalLong freshProducerId) {
        if (current == null || current.state() == TransactionState.DEAD) {
            return Outcome.failed(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        return transactionVersion >= 2
                ? EndTxnRules.endTxnV2(current, producerId, producerEpoch, commit, nowMs, freshProducerId)
                : EndTxnRules.endTxnV1(current, producerId, producerEpoch, commit, transactionVersion, nowMs);
    }

    // ---- completion, timeout, expiration ----

    /**
     * Every marker is written: {@code CompleteCommit} / {@code CompleteAbort}, the partitions and
     * groups released; with version 2 a chosen next producer id takes over at epoch 0.
     */
    public TransactionMetadata complete(TransactionMetadata prepared, long nowMs) {
        return completed(prepared, nowMs);
    }

    static TransactionMetadata completed(TransactionMetadata prepared, long nowMs) {
        TransactionMetadata.Transition done = prepared.to(
                        prepared.state() == TransactionState.PREPARE_COMMIT
                                ? TransactionState.COMPLETE_COMMIT
                                : TransactionState.COMPLETE_ABORT)
                .nextProducerId(NO_ID)
                .contents(Set.of(), Set.of())
                .updatedAt(nowMs);
        if (prepared.supportsEpochBump() && prepared.nextProducerId() != NO_ID) {
            done.producerId(prepared.nextProducerId()).epochs((short) 0, prepared.lastProducerEpoch());
        }
        return done.build();
    }

    /** The deadline of an open transaction ({@code transaction.timeout.ms} after it started). */
    public static boolean isTimedOut(TransactionMetadata metadata, long nowMs) {
        return metadata.state() == TransactionState.ONGOING
                && metadata.txnStartTimestamp() + metadata.txnTimeoutMs() <= nowMs;
    }

    /** Whether the idle id is to be forgotten ({@code transactional.id.expiration.ms}). */
    public boolean isExpired(TransactionMetadata metadata, long nowMs) {
        return metadata.state().isExpirationAllowed() && metadata.txnLastUpdateTimestamp() + idExpirationMs <= nowMs;
    }

    /**
     * When the entity must look at the id next: an open transaction's timeout, an idle id's
     * expiration; {@code Long.MAX_VALUE} while markers are written (the entity drives those itself).
     */
    public long nextDeadlineMs(TransactionMetadata metadata) {
        if (metadata == null) {
            return Long.MAX_VALUE;
        }
        if (metadata.state() == TransactionState.ONGOING) {
            return metadata.txnStartTimestamp() + metadata.txnTimeoutMs();
        }
        if (metadata.state().isExpirationAllowed()) {
            return metadata.txnLastUpdateTimestamp() + idExpirationMs;
        }
        return Long.MAX_VALUE;
    }
}
