package io.varve.txn.coordinator;

import io.varve.txn.TransactionState;
import java.util.OptionalLong;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * EndTxn's rules for {@link TransactionStateMachine#endTxn}: transaction version 1 (the epoch stays;
 * a retry of the decision already made is answered unchanged) and version 2 (KIP-890: every end bumps
 * the epoch, a retry is recognised by the epoch before the bump or by the producer id the overflow
 * rotated away from, an abort needs no open transaction). Pure functions of the current metadata.
 */
final class EndTxnRules {
    private static final long NO_ID = RecordBatch.NO_PRODUCER_ID;

    private EndTxnRules() {}

    static Outcome endTxnV1(
            TransactionMetadata current,
            long producerId,
            short producerEpoch,
            boolean commit,
            short transactionVersion,
            long nowMs) {
        if (current.producerId() != producerId) {
            return Outcome.failed(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (current.producerEpoch() != producerEpoch) {
            return Outcome.failed(Errors.PRODUCER_FENCED);
        }
        return switch (current.state()) {
            case ONGOING -> {
                TransactionMetadata next = current.to(
                                commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT)
                        .nextProducerId(NO_ID)
                        .updatedAt(nowMs)
                        .clientTransactionVersion(transactionVersion)
                        .build();
                yield Outcome.transit(next, next.producerId(), next.producerEpoch());
            }
            case COMPLETE_COMMIT -> commit ? Outcome.unchanged(current) : Outcome.failed(Errors.INVALID_TXN_STATE);
            case COMPLETE_ABORT -> commit ? Outcome.failed(Errors.INVALID_TXN_STATE) : Outcome.unchanged(current);
            case PREPARE_COMMIT -> Outcome.failed(commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
            case PREPARE_ABORT -> Outcome.failed(commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS);
            default -> Outcome.failed(Errors.INVALID_TXN_STATE);
        };
    }

    static Outcome endTxnV2(
            TransactionMetadata current,
            long producerId,
            short producerEpoch,
            boolean commit,
            long nowMs,
            OptionalLong freshProducerId) {
        boolean v2 = current.supportsEpochBump();
        // the previous end rotated the exhausted producer id and the producer retries with the old one
        boolean retryOnOverflow = v2
                && current.prevProducerId() == producerId
                && producerEpoch == TransactionMetadata.EXHAUSTED_EPOCH
                && current.producerEpoch() == 0;
        // the end already bumped the epoch and the producer retries with the one before
        boolean retryOnEpochBump = v2 && current.producerEpoch() == producerEpoch + 1;
        if (current.producerId() != producerId && !retryOnOverflow) {
            return Outcome.failed(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
        if (v2 && current.state().isPreparing() && producerEpoch == current.producerEpoch()) {
            // the producer already holds the bumped epoch and ends its next transaction (an abort of
            // one whose records were never sent) while the markers of the previous one are written: it
            // is the same instance, not a zombie, so it waits and retries (Kafka fences it, but there
            // the markers take a millisecond; replicated markers here take a follower's fetch)
            return Outcome.failed(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (!isValidEndEpoch(current, producerEpoch, retryOnEpochBump, retryOnOverflow)) {
            return Outcome.failed(Errors.PRODUCER_FENCED);
        }
        boolean retry = retryOnEpochBump || retryOnOverflow;
        return switch (current.state()) {
            case ONGOING -> prepareWithBump(current, commit, current.txnStartTimestamp(), nowMs, freshProducerId);
            case COMPLETE_COMMIT -> {
                if (commit) {
                    yield retry ? Outcome.unchanged(current) : Outcome.failed(Errors.INVALID_TXN_STATE);
                }
                yield retry
                        ? Outcome.failed(Errors.INVALID_TXN_STATE)
                        : prepareWithBump(current, false, nowMs, nowMs, freshProducerId);
            }
            case COMPLETE_ABORT -> {
                if (commit) {
                    yield Outcome.failed(Errors.INVALID_TXN_STATE);
                }
                yield retry
                        ? Outcome.unchanged(current)
                        : prepareWithBump(current, false, nowMs, nowMs, freshProducerId);
            }
            case EMPTY -> commit
                    ? Outcome.failed(Errors.INVALID_TXN_STATE)
                    : prepareWithBump(current, false, nowMs, nowMs, freshProducerId);
            case PREPARE_COMMIT -> Outcome.failed(commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
            case PREPARE_ABORT -> Outcome.failed(commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS);
            default -> Outcome.failed(Errors.INVALID_TXN_STATE);
        };
    }

    private static boolean isValidEndEpoch(
            TransactionMetadata current, short producerEpoch, boolean retryOnEpochBump, boolean retryOnOverflow) {
        if (!current.supportsEpochBump()) {
            return producerEpoch == current.producerEpoch();
        }
        return switch (current.state()) {
            case PREPARE_COMMIT, PREPARE_ABORT -> retryOnEpochBump;
            case COMPLETE_COMMIT, COMPLETE_ABORT -> retryOnEpochBump
                    || retryOnOverflow
                    || producerEpoch == current.producerEpoch();
            default -> producerEpoch == current.producerEpoch();
        };
    }

    /**
     * Version 2's end: {@code Prepare*} at epoch + 1, with the next producer id chosen when the epoch
     * is exhausted; answered with what the completion will hold.
     */
    private static Outcome prepareWithBump(
            TransactionMetadata current, boolean commit, long txnStart, long nowMs, OptionalLong freshProducerId) {
        long nextProducerId = NO_ID;
        if (current.isProducerEpochExhausted()) {
            if (freshProducerId.isEmpty()) {
                return Outcome.needProducerId();
            }
            nextProducerId = freshProducerId.getAsLong();
        }
        short epoch = current.producerEpoch() == Short.MAX_VALUE && !commit
                ? current.producerEpoch()
                : (short) (current.producerEpoch() + 1);
        TransactionMetadata next = current.to(commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT)
                .epochs(epoch, current.producerEpoch())
                .nextProducerId(nextProducerId)
                .txnStartTimestamp(txnStart)
                .updatedAt(nowMs)
                .clientTransactionVersion((short) 2)
                .build();
        TransactionMetadata completed = TransactionStateMachine.completed(next, nowMs);
        return Outcome.transit(next, completed.producerId(), completed.producerEpoch());
    }
}
