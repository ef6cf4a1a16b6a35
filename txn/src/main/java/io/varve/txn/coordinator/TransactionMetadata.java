package io.varve.txn.coordinator;

import io.varve.metadata.VarveSerializable;
import io.varve.txn.TransactionState;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything the coordinator stores about one transactional id: Kafka's {@code
 * __transaction_state} value, written as a whole with every transition (the entity's journal
 * plays that topic's role). Immutable; the {@code with...} methods return changed copies.
 *
 * @param transactionalId the id
 * @param producerId the current producer id
 * @param prevProducerId the producer id before the last rotation (epoch exhaustion), -1 if none
 * @param nextProducerId with transaction version 2, the id the next completion rotates to when the
 *     epoch is exhausted; -1 if none
 * @param producerEpoch the current epoch
 * @param lastProducerEpoch the epoch before the last bump (KIP-360 retries), -1 if unknown
 * @param txnTimeoutMs the producer's {@code transaction.timeout.ms}
 * @param state the transaction state
 * @param partitions the partitions in the open (or ending) transaction
 * @param groups the consumer groups whose offsets the transaction commits (Kafka adds their
 *     {@code __consumer_offsets} partition instead)
 * @param txnStartTimestamp when the open transaction started, -1 if none
 * @param txnLastUpdateTimestamp the time of the last transition
 * @param clientTransactionVersion the transaction version the producer uses (2: an epoch bump per
 *     transaction)
 */
public record TransactionMetadata(
        String transactionalId,
        long producerId,
        long prevProducerId,
        long nextProducerId,
        short producerEpoch,
        short lastProducerEpoch,
        int txnTimeoutMs,
        TransactionState state,
        Set<TopicPartition> partitions,
        Set<String> groups,
        long txnStartTimestamp,
        long txnLastUpdateTimestamp,
        short clientTransactionVersion)
        implements VarveSerializable {

    /** Kafka's limit: an epoch at or above it is exhausted and the producer id is rotated. */
    public static final short EXHAUSTED_EPOCH = Short.MAX_VALUE - 1;

    public TransactionMetadata {
        partitions = Set.copyOf(partitions);
        groups = Set.copyOf(groups);
    }

    /** Whether the epoch cannot be bumped again. */
    public boolean isProducerEpochExhausted() {
        return producerEpoch >= EXHAUSTED_EPOCH;
    }

    /** Whether markers go with transaction version 2 semantics (every marker bumps the epoch). */
    public boolean supportsEpochBump() {
        return clientTransactionVersion >= 2;
    }

    /** The partitions in a stable order, for answers and logs. */
    public Set<TopicPartition> sortedPartitions() {
        TreeSet<TopicPartition> sorted = new TreeSet<>((a, b) -> a.topic().equals(b.topic())
                ? a.partition() - b.partition()
                : a.topic().compareTo(b.topic()));
        sorted.addAll(partitions);
        return sorted;
    }

    /** A copy to change, for a transition to {@code nextState}. */
    Transition to(TransactionState nextState) {
        return new Transition(this, nextState);
    }

    /**
     * A transition being built from a current metadata (Kafka's {@code TransitionData}): every field
     * starts as the current one's; {@code prevProducerId} becomes the current producer id, as each of
     * Kafka's transitions records it. Not thread-safe; used and dropped by one state-machine call.
     */
    static final class Transition {
        private final TransactionMetadata from;
        private final TransactionState state;
        private long producerId;
        private long nextProducerId;
        private short producerEpoch;
        private short lastProducerEpoch;
        private int txnTimeoutMs;
        private Set<TopicPartition> partitions;
        private Set<String> groups;
        private long txnStartTimestamp;
        private long txnLastUpdateTimestamp;
        private short clientTransactionVersion;

        private Transition(TransactionMetadata from, TransactionState state) {
            this.from = from;
            this.state = state;
            this.producerId = from.producerId;
            this.nextProducerId = from.nextProducerId;
            this.producerEpoch = from.producerEpoch;
            this.lastProducerEpoch = from.lastProducerEpoch;
            this.txnTimeoutMs = from.txnTimeoutMs;
            this.partitions = from.partitions;
            this.groups = from.groups;
            this.txnStartTimestamp = from.txnStartTimestamp;
            this.txnLastUpdateTimestamp = from.txnLastUpdateTimestamp;
            this.clientTransactionVersion = from.clientTransactionVersion;
        }

        Transition producerId(long value) {
            producerId = value;
            return this;
        }

        Transition nextProducerId(long value) {
            nextProducerId = value;
            return this;
        }

        Transition epochs(short epoch, short lastEpoch) {
            producerEpoch = epoch;
            lastProducerEpoch = lastEpoch;
            return this;
        }

        Transition txnTimeoutMs(int value) {
            txnTimeoutMs = value;
            return this;
        }

        Transition contents(Set<TopicPartition> newPartitions, Set<String> newGroups) {
            partitions = newPartitions;
            groups = newGroups;
            return this;
        }

        Transition txnStartTimestamp(long value) {
            txnStartTimestamp = value;
            return this;
        }

        Transition updatedAt(long value) {
            txnLastUpdateTimestamp = value;
            return this;
        }

        Transition clientTransactionVersion(short value) {
            clientTransactionVersion = value;
            return this;
        }

        /**
         * The new metadata.
         *
         * @throws IllegalStateException if the state cannot follow the current one (a bug)
         */
        TransactionMetadata build() {
            if (!state.canFollow(from.state)) {
                throw new IllegalStateException("transactional id " + from.transactionalId + " cannot move from "
                        + from.state + " to " + state);
            }
            return new TransactionMetadata(
                    from.transactionalId,
                    producerId,
                    from.producerId,
                    nextProducerId,
                    producerEpoch,
                    lastProducerEpoch,
                    txnTimeoutMs,
                    state,
                    partitions,
                    groups,
                    txnStartTimestamp,
                    txnLastUpdateTimestamp,
                    clientTransactionVersion);
        }
    }
}
