package io.varve.txn.coordinator;

import io.varve.txn.TransactionCoordinator.MarkersWritten;
import io.varve.txn.TransactionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Sends one round of the markers a {@link TransactionEntity} still owes ({@link MarkerRound}): to
 * every partition leader and consumer group at once, gathered into one {@link MarkersWritten} for the
 * entity to pipe to itself. A write that failed or timed out counts as REQUEST_TIMED_OUT (retried).
 * Stateless; called on the entity's thread, the answers complete on any thread.
 */
final class MarkerDispatch {
    private MarkerDispatch() {}

    static CompletableFuture<MarkersWritten> send(
            CoordinatorServices services, TransactionRecord state, MarkerRound markers) {
        TransactionMetadata metadata = state.metadata();
        boolean commit = metadata.state() == TransactionState.PREPARE_COMMIT;
        long round = markers.round();
        Map<TopicPartition, CompletableFuture<Errors>> partitions = new HashMap<>();
        for (TopicPartition tp : markers.partitions()) {
            partitions.put(
                    tp,
                    services.partitionMarkers()
                            .writeMarker(
                                    tp,
                                    metadata.producerId(),
                                    metadata.producerEpoch(),
                                    state.coordinatorEpoch(),
                                    commit,
                                    metadata.clientTransactionVersion())
                            .toCompletableFuture());
        }
        Map<String, CompletableFuture<Errors>> groups = new HashMap<>();
        for (String group : markers.groups()) {
            groups.put(
                    group,
                    services.groupMarkers()
                            .writeMarker(group, metadata.producerId(), metadata.producerEpoch(), commit)
                            .toCompletableFuture());
        }
        List<CompletableFuture<Errors>> all = new ArrayList<>(partitions.values());
        all.addAll(groups.values());
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
                .handle((done, failure) -> new MarkersWritten(round, joined(partitions), joined(groups)));
    }

    private static <K> Map<K, Errors> joined(Map<K, CompletableFuture<Errors>> answers) {
        Map<K, Errors> errors = new HashMap<>();
        answers.forEach((key, answer) ->
                errors.put(key, answer.isCompletedExceptionally() ? Errors.REQUEST_TIMED_OUT : answer.join()));
        return Map.copyOf(errors);
    }
}
