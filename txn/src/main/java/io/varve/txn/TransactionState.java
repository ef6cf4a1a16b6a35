package io.varve.txn;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The states of a transactional id, Kafka's transaction coordinator state machine:
 *
 * <pre>
 *            InitProducerId                AddPartitions / AddOffsets
 *   (none) ----------------> Empty ------------------------------------> Ongoing
 *                             ^  ^                                        |  |  \ InitProducerId or timeout
 *              InitProducerId |  |                           EndTxn commit|  |   \ (fence: epoch bump)
 *                             |  |                                        v  |    v
 *          CompleteCommit <---+--+-- PrepareCommit             PrepareAbort <-+-- (PrepareEpochFence)
 *                ^      markers written      |                       |  ^ EndTxn abort
 *                +---------------------------+                       |  | (TV2: also from Empty/Complete*)
 *          CompleteAbort <---------------------------------------------+
 *                                  markers written
 *   Empty / Complete* --(transactional.id.expiration.ms idle)--> Dead (the id is forgotten)
 * </pre>
 *
 * {@code PrepareEpochFence} is transient in Kafka (never written to its log) and here too: a fence
 * goes straight to {@code PrepareAbort} with the bumped epoch. {@link #kafkaName()} is what
 * DescribeTransactions and ListTransactions report.
 */
public enum TransactionState {
    EMPTY("Empty"),
    ONGOING("Ongoing"),
    PREPARE_COMMIT("PrepareCommit"),
    PREPARE_ABORT("PrepareAbort"),
    COMPLETE_COMMIT("CompleteCommit"),
    COMPLETE_ABORT("CompleteAbort"),
    DEAD("Dead"),
    PREPARE_EPOCH_FENCE("PrepareEpochFence");

    private static final Map<TransactionState, Set<TransactionState>> VALID_PREVIOUS = Map.of(
            EMPTY, Set.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT),
            ONGOING, Set.of(ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT),
            PREPARE_COMMIT, Set.of(ONGOING),
            PREPARE_ABORT, Set.of(ONGOING, PREPARE_EPOCH_FENCE, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT),
            COMPLETE_COMMIT, Set.of(PREPARE_COMMIT),
            COMPLETE_ABORT, Set.of(PREPARE_ABORT),
            DEAD, Set.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT),
            PREPARE_EPOCH_FENCE, Set.of(ONGOING));

    private final String kafkaName;

    TransactionState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** Kafka's name of the state ({@code "Ongoing"}, {@code "PrepareCommit"}, ...). */
    public String kafkaName() {
        return kafkaName;
    }

    /** The state Kafka names {@code name}, if any. */
    public static Optional<TransactionState> fromKafkaName(String name) {
        for (TransactionState state : values()) {
            if (state.kafkaName.equals(name)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }

    /** Whether a transactional id may move from {@code previous} to this state. */
    public boolean canFollow(TransactionState previous) {
        return VALID_PREVIOUS.get(this).contains(previous);
    }

    /** Whether a transaction is open or being ended: it holds partitions and may need markers. */
    public boolean isInTransaction() {
        return this == ONGOING || this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** Whether markers are being written (the decision is made). */
    public boolean isPreparing() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    /** Whether an idle id in this state may expire ({@code transactional.id.expiration.ms}). */
    public boolean isExpirationAllowed() {
        return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }
}
