package io.varve.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.txn.TransactionState;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Kafka's coordinator rules, state by state, without actors. */
class TransactionStateMachineTest {
    private static final String ID = "txn-1";
    private static final long PID = 1000L;
    private static final int TIMEOUT = 60_000;
    private static final long NOW = 1_700_000_000_000L;
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition B1 = new TopicPartition("b", 1);
    private static final short TV1 = 0;
    private static final short TV2 = 2;

    private final TransactionStateMachine v1Server = new TransactionStateMachine(900_000, 604_800_000, (short) 1);
    private final TransactionStateMachine v2Server = new TransactionStateMachine(900_000, 604_800_000, (short) 2);

    private TransactionMetadata init(TransactionStateMachine machine) {
        Outcome needs = machine.initProducerId(null, ID, TIMEOUT, -1, (short) -1, NOW, OptionalLong.empty());
        assertThat(needs.needsProducerId()).isTrue();
        Outcome outcome = machine.initProducerId(null, ID, TIMEOUT, -1, (short) -1, NOW, OptionalLong.of(PID));
        assertThat(outcome.error()).isEqualTo(Errors.NONE);
        return outcome.next();
    }

    private TransactionMetadata ongoing(TransactionStateMachine machine, short tv) {
        TransactionMetadata empty = init(machine);
        return machine.add(empty, PID, (short) 0, Set.of(A0, B1), Set.of("g"), tv, NOW + 5)
                .next();
    }

    @Test
    void firstInitProducerIdGetsAFreshProducerIdAtEpochZero() {
        TransactionMetadata empty = init(v1Server);

        assertThat(empty.state()).isEqualTo(TransactionState.EMPTY);
        assertThat(empty.producerId()).isEqualTo(PID);
        assertThat(empty.producerEpoch()).isZero();
        assertThat(empty.txnTimeoutMs()).isEqualTo(TIMEOUT);
        assertThat(empty.partitions()).isEmpty();
    }

    @Test
    void timeoutAboveTheMaximumOrNotPositiveIsInvalid() {
        assertThat(v1Server.initProducerId(null, ID, 900_001, -1, (short) -1, NOW, OptionalLong.of(PID))
                        .error())
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(v1Server.initProducerId(null, ID, 0, -1, (short) -1, NOW, OptionalLong.of(PID))
                        .error())
                .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
    }

    @Test
    void aNewInstanceBumpsTheEpochSoTheOldOneIsFenced() {
        TransactionMetadata empty = init(v1Server);

        Outcome again = v1Server.initProducerId(empty, ID, TIMEOUT, -1, (short) -1, NOW, OptionalLong.empty());

        assertThat(again.producerEpoch()).isEqualTo((short) 1);
        assertThat(again.next().lastProducerEpoch()).isEqualTo((short) -1);
        assertThat(v1Server.add(again.next(), PID, (short) 0, Set.of(A0), Set.of(), TV1, NOW)
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void kip360BumpWithTheCurrentEpochAndItsRetry() {
        TransactionMetadata empty = init(v1Server);

        Outcome bump = v1Server.initProducerId(empty, ID, TIMEOUT, PID, (short) 0, NOW, OptionalLong.empty());
        assertThat(bump.producerEpoch()).isEqualTo((short) 1);
        assertThat(bump.next().lastProducerEpoch()).isEqualTo((short) 0);

        // the producer lost the answer and asks again with the epoch it had
        Outcome retry = v1Server.initProducerId(bump.next(), ID, TIMEOUT, PID, (short) 0, NOW, OptionalLong.empty());
        assertThat(retry.producerEpoch()).isEqualTo((short) 1);
        // an epoch that is neither current nor last is a zombie
        assertThat(v1Server.initProducerId(bump.next(), ID, TIMEOUT, PID, (short) 5, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(v1Server.initProducerId(bump.next(), ID, TIMEOUT, 999L, (short) 1, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void exhaustedEpochRotatesTheProducerId() {
        TransactionMetadata old = init(v1Server)
                .to(TransactionState.EMPTY)
                .epochs(TransactionMetadata.EXHAUSTED_EPOCH, (short) -1)
                .build();

        Outcome needs = v1Server.initProducerId(old, ID, TIMEOUT, -1, (short) -1, NOW, OptionalLong.empty());
        Outcome rotated = v1Server.initProducerId(old, ID, TIMEOUT, -1, (short) -1, NOW, OptionalLong.of(2000L));

        assertThat(needs.needsProducerId()).isTrue();
        assertThat(rotated.producerId()).isEqualTo(2000L);
        assertThat(rotated.producerEpoch()).isZero();
        assertThat(rotated.next().prevProducerId()).isEqualTo(PID);
    }

    @Test
    void initProducerIdDuringAnOpenTransactionFencesAndAbortsIt() {
        TransactionMetadata open = ongoing(v1Server, TV1);

        Outcome fenced = v1Server.initProducerId(open, ID, TIMEOUT, -1, (short) -1, NOW + 10, OptionalLong.empty());

        assertThat(fenced.error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(fenced.next().state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(fenced.next().producerEpoch()).isEqualTo((short) 1);
        assertThat(fenced.next().partitions()).containsExactlyInAnyOrder(A0, B1);
        assertThat(fenced.next().groups()).containsExactly("g");
        // while the markers are written the producer keeps retrying
        assertThat(v1Server.initProducerId(fenced.next(), ID, TIMEOUT, -1, (short) -1, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        TransactionMetadata aborted = v1Server.complete(fenced.next(), NOW + 20);
        Outcome reinit = v1Server.initProducerId(aborted, ID, TIMEOUT, -1, (short) -1, NOW, OptionalLong.empty());
        assertThat(reinit.producerEpoch()).isEqualTo((short) 2);
    }

    @Test
    void versionTwoServerFencesWithTwoEpochBumps() {
        TransactionMetadata open = ongoing(v2Server, TV2);

        TransactionMetadata fenced = v2Server.fenceAndAbort(open, NOW + 10);

        assertThat(fenced.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(fenced.producerEpoch()).isEqualTo((short) 2);
        assertThat(fenced.lastProducerEpoch()).isEqualTo((short) 1);
        // the old instance's EndTxn at epoch 0 is not mistaken for a retry
        assertThat(v2Server.endTxn(
                                v2Server.complete(fenced, NOW), PID, (short) 0, false, TV2, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void addPartitionsOpensATransactionOnceAndRejectsOthers() {
        TransactionMetadata empty = init(v1Server);

        Outcome opened = v1Server.add(empty, PID, (short) 0, Set.of(A0), Set.of(), TV1, NOW + 5);
        Outcome again = v1Server.add(opened.next(), PID, (short) 0, Set.of(A0), Set.of(), TV1, NOW + 9);
        Outcome more = v1Server.add(opened.next(), PID, (short) 0, Set.of(B1), Set.of(), TV1, NOW + 9);

        assertThat(opened.next().state()).isEqualTo(TransactionState.ONGOING);
        assertThat(opened.next().txnStartTimestamp()).isEqualTo(NOW + 5);
        assertThat(again.changes()).isFalse();
        assertThat(again.error()).isEqualTo(Errors.NONE);
        assertThat(more.next().partitions()).containsExactlyInAnyOrder(A0, B1);
        assertThat(more.next().txnStartTimestamp()).isEqualTo(NOW + 5);
        assertThat(v1Server.add(empty, 7L, (short) 0, Set.of(A0), Set.of(), TV1, NOW)
                        .error())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(v1Server.add(null, PID, (short) 0, Set.of(A0), Set.of(), TV1, NOW)
                        .error())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
    }

    @Test
    void verificationAnswersPerPartition() {
        TransactionMetadata open = ongoing(v1Server, TV1);
        TopicPartition other = new TopicPartition("c", 0);

        assertThat(v1Server.verify(open, PID, (short) 0, Set.of(A0, other)))
                .isEqualTo(Map.of(A0, Errors.NONE, other, Errors.TRANSACTION_ABORTABLE));
        assertThat(v1Server.verify(open, PID, (short) 1, Set.of(A0))).isEqualTo(Map.of(A0, Errors.PRODUCER_FENCED));
        assertThat(v1Server.verifyGroup(open, PID, (short) 0, "g")).isEqualTo(Errors.NONE);
        assertThat(v1Server.verifyGroup(open, PID, (short) 0, "h")).isEqualTo(Errors.TRANSACTION_ABORTABLE);
    }

    @Test
    void versionOneEndTxnPreparesThenCompletesAndRecognisesRetries() {
        TransactionMetadata open = ongoing(v1Server, TV1);

        Outcome commit = v1Server.endTxn(open, PID, (short) 0, true, TV1, NOW + 30, OptionalLong.empty());
        TransactionMetadata prepared = commit.next();
        assertThat(prepared.state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(commit.producerEpoch()).isZero();
        assertThat(v1Server.endTxn(prepared, PID, (short) 0, true, TV1, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(v1Server.endTxn(prepared, PID, (short) 0, false, TV1, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(v1Server.add(prepared, PID, (short) 0, Set.of(A0), Set.of(), TV1, NOW)
                        .error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        TransactionMetadata done = v1Server.complete(prepared, NOW + 40);
        assertThat(done.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(done.partitions()).isEmpty();
        assertThat(done.groups()).isEmpty();
        Outcome retry = v1Server.endTxn(done, PID, (short) 0, true, TV1, NOW, OptionalLong.empty());
        assertThat(retry.error()).isEqualTo(Errors.NONE);
        assertThat(retry.changes()).isFalse();
        assertThat(v1Server.endTxn(done, PID, (short) 0, false, TV1, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(v1Server.endTxn(init(v1Server), PID, (short) 0, true, TV1, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void versionTwoEndTxnBumpsTheEpochAndAnswersTheNextOne() {
        TransactionMetadata open = ongoing(v2Server, TV2);

        Outcome abort = v2Server.endTxn(open, PID, (short) 0, false, TV2, NOW + 30, OptionalLong.empty());

        assertThat(abort.next().state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(abort.next().producerEpoch()).isEqualTo((short) 1);
        assertThat(abort.next().lastProducerEpoch()).isZero();
        assertThat(abort.producerId()).isEqualTo(PID);
        assertThat(abort.producerEpoch()).isEqualTo((short) 1);
        // a retry while markers are written, and after
        assertThat(v2Server.endTxn(abort.next(), PID, (short) 0, false, TV2, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        // the next transaction's end, at the bumped epoch, waits for the markers (0098's rapid aborts)
        assertThat(v2Server.endTxn(abort.next(), PID, (short) 1, false, TV2, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(v2Server.endTxn(abort.next(), PID, (short) 2, false, TV2, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
        TransactionMetadata done = v2Server.complete(abort.next(), NOW + 40);
        Outcome next = v2Server.endTxn(done, PID, (short) 1, false, TV2, NOW, OptionalLong.empty());
        assertThat(next.error()).isEqualTo(Errors.NONE);
        assertThat(next.producerEpoch()).isEqualTo((short) 2);
        Outcome retry = v2Server.endTxn(done, PID, (short) 0, false, TV2, NOW, OptionalLong.empty());
        assertThat(retry.error()).isEqualTo(Errors.NONE);
        assertThat(retry.producerEpoch()).isEqualTo((short) 1);
        // the next transaction uses the bumped epoch
        assertThat(v2Server.add(done, PID, (short) 1, Set.of(A0), Set.of(), TV2, NOW)
                        .error())
                .isEqualTo(Errors.NONE);
    }

    @Test
    void versionTwoAbortWithNothingOpenStillBumpsTheEpoch() {
        TransactionMetadata empty = init(v2Server);

        Outcome abort = v2Server.endTxn(empty, PID, (short) 0, false, TV2, NOW + 1, OptionalLong.empty());
        Outcome commit = v2Server.endTxn(empty, PID, (short) 0, true, TV2, NOW + 1, OptionalLong.empty());

        assertThat(abort.next().state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(abort.next().partitions()).isEmpty();
        assertThat(abort.producerEpoch()).isEqualTo((short) 1);
        assertThat(commit.error()).isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void versionTwoEpochOverflowRotatesAtCompletion() {
        TransactionMetadata open = ongoing(v2Server, TV2)
                .to(TransactionState.ONGOING)
                .epochs(TransactionMetadata.EXHAUSTED_EPOCH, (short) 32765)
                .build();

        Outcome needs =
                v2Server.endTxn(open, PID, TransactionMetadata.EXHAUSTED_EPOCH, true, TV2, NOW, OptionalLong.empty());
        Outcome commit =
                v2Server.endTxn(open, PID, TransactionMetadata.EXHAUSTED_EPOCH, true, TV2, NOW, OptionalLong.of(3000L));

        assertThat(needs.needsProducerId()).isTrue();
        assertThat(commit.next().nextProducerId()).isEqualTo(3000L);
        assertThat(commit.producerId()).isEqualTo(3000L);
        assertThat(commit.producerEpoch()).isZero();
        TransactionMetadata done = v2Server.complete(commit.next(), NOW);
        assertThat(done.producerId()).isEqualTo(3000L);
        assertThat(done.producerEpoch()).isZero();
        assertThat(done.prevProducerId()).isEqualTo(PID);
        // the producer retries with the old id at the exhausted epoch
        assertThat(v2Server.endTxn(done, PID, TransactionMetadata.EXHAUSTED_EPOCH, true, TV2, NOW, OptionalLong.empty())
                        .error())
                .isEqualTo(Errors.NONE);
    }

    @Test
    void timeoutAndExpirationDeadlines() {
        TransactionMetadata open = ongoing(v1Server, TV1); // started NOW + 5

        assertThat(v1Server.nextDeadlineMs(open)).isEqualTo(NOW + 5 + TIMEOUT);
        assertThat(TransactionStateMachine.isTimedOut(open, NOW + 4 + TIMEOUT)).isFalse();
        assertThat(TransactionStateMachine.isTimedOut(open, NOW + 5 + TIMEOUT)).isTrue();
        TransactionMetadata prepared = v1Server.fenceAndAbort(open, NOW + 6);
        assertThat(v1Server.nextDeadlineMs(prepared)).isEqualTo(Long.MAX_VALUE);
        TransactionMetadata idle = v1Server.complete(prepared, NOW + 100);
        assertThat(v1Server.nextDeadlineMs(idle)).isEqualTo(NOW + 100 + 604_800_000L);
        assertThat(v1Server.isExpired(idle, NOW + 99 + 604_800_000L)).isFalse();
        assertThat(v1Server.isExpired(idle, NOW + 100 + 604_800_000L)).isTrue();
        assertThat(v1Server.isExpired(open, Long.MAX_VALUE / 2)).isFalse();
    }

    @Test
    void everyStateAcceptsOnlyKafkasPredecessors() {
        assertThat(TransactionState.PREPARE_COMMIT.canFollow(TransactionState.ONGOING))
                .isTrue();
        assertThat(TransactionState.PREPARE_COMMIT.canFollow(TransactionState.EMPTY))
                .isFalse();
        assertThat(TransactionState.PREPARE_ABORT.canFollow(TransactionState.PREPARE_EPOCH_FENCE))
                .isTrue();
        assertThat(TransactionState.PREPARE_EPOCH_FENCE.canFollow(TransactionState.ONGOING))
                .isTrue();
        assertThat(TransactionState.COMPLETE_ABORT.canFollow(TransactionState.PREPARE_COMMIT))
                .isFalse();
        assertThat(TransactionState.DEAD.canFollow(TransactionState.COMPLETE_COMMIT))
                .isTrue();
        assertThat(TransactionState.DEAD.canFollow(TransactionState.ONGOING)).isFalse();
        TransactionMetadata empty = init(v1Server);
        assertThatThrownBy(() -> empty.to(TransactionState.COMPLETE_COMMIT).build())
                .isInstanceOf(IllegalStateException.class);
        assertThat(TransactionState.fromKafkaName("PrepareEpochFence")).contains(TransactionState.PREPARE_EPOCH_FENCE);
    }
}
