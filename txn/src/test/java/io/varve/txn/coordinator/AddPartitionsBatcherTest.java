package io.varve.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** One add in flight per transactional id; what arrives meanwhile goes together in the next. */
class AddPartitionsBatcherTest {
    private static final long PID = 7L;

    private record Sent(
            String transactionalId,
            long producerId,
            short producerEpoch,
            List<TopicPartition> partitions,
            CompletableFuture<Map<TopicPartition, Errors>> answer) {}

    private final List<Sent> sent = new ArrayList<>();
    private final AddPartitionsBatcher batcher = new AddPartitionsBatcher(this::send, Runnable::run);

    private synchronized CompletionStage<Map<TopicPartition, Errors>> send(
            String transactionalId, long producerId, short producerEpoch, List<TopicPartition> partitions) {
        CompletableFuture<Map<TopicPartition, Errors>> answer = new CompletableFuture<>();
        sent.add(new Sent(transactionalId, producerId, producerEpoch, List.copyOf(partitions), answer));
        return answer;
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition("t", partition);
    }

    private static Map<TopicPartition, Errors> none(List<TopicPartition> partitions) {
        Map<TopicPartition, Errors> errors = new java.util.HashMap<>();
        partitions.forEach(tp -> errors.put(tp, Errors.NONE));
        return errors;
    }

    @Test
    void partitionsAskedWhileAnAddIsInFlightGoTogetherInTheNextOne() {
        CompletableFuture<Errors> first =
                batcher.add("tx", PID, (short) 3, tp(0)).toCompletableFuture();
        List<CompletableFuture<Errors>> later = new ArrayList<>();
        for (int p = 1; p <= 5; p++) {
            later.add(batcher.add("tx", PID, (short) 3, tp(p)).toCompletableFuture());
        }

        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).partitions()).containsExactly(tp(0));
        sent.get(0).answer().complete(Map.of(tp(0), Errors.NONE));

        assertThat(first).isCompletedWithValue(Errors.NONE);
        assertThat(sent).hasSize(2);
        Sent second = sent.get(1);
        assertThat(second.transactionalId()).isEqualTo("tx");
        assertThat(second.producerEpoch()).isEqualTo((short) 3);
        assertThat(second.partitions()).containsExactly(tp(1), tp(2), tp(3), tp(4), tp(5));
        assertThat(later).allMatch(answer -> !answer.isDone());

        Map<TopicPartition, Errors> answers = none(second.partitions());
        answers.put(tp(4), Errors.CONCURRENT_TRANSACTIONS);
        second.answer().complete(answers);

        assertThat(later.get(0)).isCompletedWithValue(Errors.NONE);
        assertThat(later.get(3)).isCompletedWithValue(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(later.get(4)).isCompletedWithValue(Errors.NONE);
        assertThat(sent).hasSize(2);

        // nothing in flight any more: the next add goes at once
        batcher.add("tx", PID, (short) 3, tp(0));
        assertThat(sent).hasSize(3);
        assertThat(sent.get(2).partitions()).containsExactly(tp(0));
    }

    @Test
    void partitionsAskedBeforeTheExecutorSendsTheFirstAddJoinIt() {
        java.util.Queue<Runnable> executor = new java.util.ArrayDeque<>();
        AddPartitionsBatcher deferred = new AddPartitionsBatcher(this::send, executor::add);
        List<CompletableFuture<Errors>> answers = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            answers.add(deferred.add("tx", PID, (short) 0, tp(p)).toCompletableFuture());
        }
        assertThat(sent).isEmpty();

        executor.forEach(Runnable::run);

        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).partitions()).containsExactly(tp(0), tp(1), tp(2), tp(3), tp(4), tp(5));
        sent.get(0).answer().complete(none(sent.get(0).partitions()));
        assertThat(answers).allMatch(answer -> answer.getNow(null) == Errors.NONE);
        assertThat(executor).hasSize(1);
    }

    @Test
    void otherTransactionalIdsAreNotHeldBack() {
        batcher.add("tx-a", PID, (short) 0, tp(0));
        batcher.add("tx-b", PID + 1, (short) 0, tp(0));

        assertThat(sent).extracting(Sent::transactionalId).containsExactly("tx-a", "tx-b");
    }

    @Test
    void anotherProducerEpochWaitsForALaterAdd() {
        batcher.add("tx", PID, (short) 1, tp(0));
        CompletableFuture<Errors> oldEpoch =
                batcher.add("tx", PID, (short) 1, tp(1)).toCompletableFuture();
        CompletableFuture<Errors> newEpoch =
                batcher.add("tx", PID, (short) 2, tp(2)).toCompletableFuture();

        sent.get(0).answer().complete(Map.of(tp(0), Errors.NONE));
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).producerEpoch()).isEqualTo((short) 1);
        assertThat(sent.get(1).partitions()).containsExactly(tp(1));

        sent.get(1).answer().complete(Map.of(tp(1), Errors.PRODUCER_FENCED));
        assertThat(oldEpoch).isCompletedWithValue(Errors.PRODUCER_FENCED);
        assertThat(sent).hasSize(3);
        assertThat(sent.get(2).producerEpoch()).isEqualTo((short) 2);
        assertThat(sent.get(2).partitions()).containsExactly(tp(2));
        sent.get(2).answer().complete(Map.of(tp(2), Errors.NONE));
        assertThat(newEpoch).isCompletedWithValue(Errors.NONE);
    }

    @Test
    void aFailedAskIsCoordinatorNotAvailableForEveryPartitionInItAndTheQueueMovesOn() {
        CompletableFuture<Errors> first =
                batcher.add("tx", PID, (short) 0, tp(0)).toCompletableFuture();
        CompletableFuture<Errors> second =
                batcher.add("tx", PID, (short) 0, tp(1)).toCompletableFuture();

        sent.get(0).answer().completeExceptionally(new java.util.concurrent.TimeoutException("no answer in 30000 ms"));

        assertThat(first).isCompletedWithValue(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(sent).hasSize(2);
        sent.get(1).answer().complete(Map.of());
        // an answer that leaves the partition out is a server error, as before
        assertThat(second).isCompletedWithValue(Errors.UNKNOWN_SERVER_ERROR);
    }
}
