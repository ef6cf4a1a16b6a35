package io.varve.txn.coordinator;

import io.varve.metadata.Ask;
import io.varve.partition.TransactionVerifier;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.TransactionCoordinators;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * A partition leader's {@link TransactionVerifier} over the sharded coordinators: verify-only
 * (transaction version 1) or add (version 2) the partition, as Kafka's {@code
 * AddPartitionsToTxnManager} sends from broker to coordinator. With version 2 a {@code
 * CONCURRENT_TRANSACTIONS} answer (the previous transaction is still writing markers) is asked
 * again after a short backoff until the retry timeout, as Kafka's replica manager does. A
 * coordinator that does not answer within {@code coordinator-ask-timeout} is {@code
 * COORDINATOR_NOT_AVAILABLE} (the producer retries): a coordinator whose node died is not waited
 * for until the producer's own request times out. Thread-safe.
 */
public final class CoordinatorTransactionVerifier implements TransactionVerifier {
    private final TransactionCoordinators coordinators;
    private final Scheduler scheduler;
    private final AddPartitionsBatcher adds;

    /** {@code executor} sends a quiet id's first add (the node's default dispatcher). */
    public CoordinatorTransactionVerifier(
            TransactionCoordinators coordinators, Scheduler scheduler, Executor executor) {
        this.coordinators = coordinators;
        this.scheduler = scheduler;
        this.adds = new AddPartitionsBatcher(this::sendAdd, executor);
    }

    @Override
    public CompletionStage<Errors> verify(
            String transactionalId, long producerId, short producerEpoch, TopicPartition tp, boolean addPartition) {
        if (!addPartition && !coordinators.settings().verification()) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        long deadline = System.nanoTime()
                + coordinators.settings().addPartitionsRetryTimeout().toNanos();
        return attempt(transactionalId, producerId, producerEpoch, tp, addPartition, deadline);
    }

    private CompletionStage<Errors> attempt(
            String transactionalId,
            long producerId,
            short producerEpoch,
            TopicPartition tp,
            boolean add,
            long deadline) {
        return ask(transactionalId, producerId, producerEpoch, tp, add).thenCompose(error -> {
            if (error != Errors.CONCURRENT_TRANSACTIONS || !add || System.nanoTime() >= deadline) {
                return CompletableFuture.completedFuture(error);
            }
            CompletableFuture<Errors> again = new CompletableFuture<>();
            Duration backoff = coordinators.settings().addPartitionsRetryBackoff();
            scheduler.scheduleOnce(
                    backoff,
                    () -> attempt(transactionalId, producerId, producerEpoch, tp, true, deadline)
                            .whenComplete((retried, failure) ->
                                    again.complete(failure == null ? retried : Errors.COORDINATOR_NOT_AVAILABLE)),
                    Ask.INLINE);
            return again;
        });
    }

    private CompletionStage<Errors> ask(
            String transactionalId, long producerId, short producerEpoch, TopicPartition tp, boolean add) {
        if (add) {
            return adds.add(transactionalId, producerId, producerEpoch, tp);
        }
        CompletableFuture<TransactionCoordinator.PartitionErrors> answer = Ask.ask(
                coordinators.coordinator(transactionalId),
                replyTo -> new TransactionCoordinator.VerifyPartitions(producerId, producerEpoch, List.of(tp), replyTo),
                coordinators.settings().coordinatorAskTimeout(),
                scheduler);
        return answer.handle((errors, failure) -> failure != null
                ? Errors.COORDINATOR_NOT_AVAILABLE
                : errors.errors().getOrDefault(tp, Errors.UNKNOWN_SERVER_ERROR));
    }

    /** One add (transaction version 2) of several partitions, as {@link AddPartitionsBatcher} gathers them. */
    private CompletionStage<Map<TopicPartition, Errors>> sendAdd(
            String transactionalId, long producerId, short producerEpoch, List<TopicPartition> partitions) {
        return Ask.<TransactionCoordinator.Command, TransactionCoordinator.PartitionErrors>ask(
                        coordinators.coordinator(transactionalId),
                        replyTo -> new TransactionCoordinator.AddPartitions(
                                producerId, producerEpoch, List.copyOf(partitions), (short) 2, replyTo),
                        coordinators.settings().coordinatorAskTimeout(),
                        scheduler)
                .thenApply(TransactionCoordinator.PartitionErrors::errors);
    }
}
