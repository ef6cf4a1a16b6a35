package io.varve.txn.markers;

import io.varve.metadata.Ask;
import io.varve.metadata.MetadataCache;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionDirectory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Writes markers to partition leaders hosted on this node, through their {@code PartitionActor}
 * ({@code WriteTxnMarker}). A partition missing from the metadata (its topic was deleted) is {@code
 * UNKNOWN_TOPIC_OR_PARTITION}; one this node does not host is {@code NOT_LEADER_OR_FOLLOWER}, which
 * the coordinator retries: reaching leaders on other nodes comes with replication. Thread-safe.
 */
public final class LocalMarkerWriter implements MarkerWriter {
    private final PartitionDirectory partitions;
    private final MetadataCache metadata;
    private final Scheduler scheduler;
    private final Duration timeout;

    public LocalMarkerWriter(
            PartitionDirectory partitions, MetadataCache metadata, Scheduler scheduler, Duration timeout) {
        this.partitions = partitions;
        this.metadata = metadata;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<Errors> writeMarker(
            TopicPartition tp,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion) {
        if (metadata.image().partition(tp).isEmpty()) {
            return CompletableFuture.completedFuture(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Optional<ActorRef<PartitionActor.Command>> leader = partitions.lookup(tp);
        if (leader.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return Ask.<PartitionActor.Command, PartitionActor.TxnMarkerWritten>ask(
                        leader.get(),
                        replyTo -> new PartitionActor.WriteTxnMarker(
                                producerId,
                                producerEpoch,
                                coordinatorEpoch,
                                commit,
                                transactionVersion,
                                (int) timeout.toMillis(),
                                replyTo),
                        timeout.plusSeconds(1),
                        scheduler)
                .handle((written, failure) -> failure != null ? Errors.REQUEST_TIMED_OUT : written.error());
    }
}
