package io.varve.transport.api.fetch;

import io.varve.metadata.Ask;
import io.varve.metadata.MetadataImage;
import io.varve.partition.PartitionActor;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.internal.LeaderHint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over a Fetch's partitions: a {@code PartitionActor.Read} to each, in parallel, each for at
 * most the smaller of its partition max bytes and the response's max bytes, then the response's max
 * bytes applied in request order as Kafka's ReplicaManager does (KIP-74): the first partition with
 * records keeps what it read, which is at most the limit, or one whole batch when its first batch is
 * larger; each later one keeps at most what is left of the response's max bytes, cut where the
 * limit falls (a partial last batch, which clients discard, as Kafka sends it), or no records when
 * nothing is left. One instance per request.
 */
final class FetchReader {
    private static final Logger log = LoggerFactory.getLogger(FetchReader.class);

    private final BrokerServices services;
    private final boolean readCommitted;
    private final int responseMaxBytes;

    FetchReader(BrokerServices services, boolean readCommitted, int responseMaxBytes) {
        this.services = services;
        this.readCommitted = readCommitted;
        this.responseMaxBytes = responseMaxBytes;
    }

    boolean readCommitted() {
        return readCommitted;
    }

    /** Reads every partition and applies the response's max bytes: a complete answer. */
    CompletionStage<List<PartitionResult>> read(List<PartitionFetch> fetches) {
        return readEach(fetches).thenApply(this::applyMaxBytes);
    }

    /** Reads every partition, in parallel; the max bytes are not applied yet ({@link #applyMaxBytes}). */
    CompletionStage<List<PartitionResult>> readEach(List<PartitionFetch> fetches) {
        MetadataImage image = services.metadata().image();
        List<CompletableFuture<PartitionResult>> reads = new ArrayList<>(fetches.size());
        fetches.forEach(fetch -> reads.add(read(image, fetch)));
        return CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<PartitionResult> read(MetadataImage image, PartitionFetch fetch) {
        if (fetch.partition().topic() == null) {
            return CompletableFuture.completedFuture(PartitionResult.failed(fetch, Errors.UNKNOWN_TOPIC_ID));
        }
        TopicPartition tp = fetch.partition().topicPartition();
        if (image.partition(tp).isEmpty()) {
            return CompletableFuture.completedFuture(PartitionResult.failed(fetch, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        Optional<ActorRef<PartitionActor.Command>> actor = services.partitions().lookup(tp);
        if (actor.isEmpty()) {
            return CompletableFuture.completedFuture(
                    PartitionResult.failed(fetch, Errors.NOT_LEADER_OR_FOLLOWER, LeaderHint.of(image, tp)));
        }
        CompletionStage<PartitionActor.ReadResponse> answer = Ask.ask(
                actor.get(),
                replyTo -> readOf(fetch, replyTo),
                services.settings().askTimeout(),
                services.scheduler());
        return answer.handle((read, failure) -> toResult(image, fetch, read, failure))
                .toCompletableFuture();
    }

    /**
     * Parks a long poll on the partition of {@code seen} (its last read, without error): completes
     * with the partition's fresh read once it has data past that read's high watermark (last stable
     * offset for read_committed), or with its error; exceptionally if it does not answer within
     * {@code maxWaitMs}. {@code fetchCompleted} tells the partition when the fetch stopped waiting.
     */
    CompletableFuture<PartitionResult> await(PartitionResult seen, int maxWaitMs, BooleanSupplier fetchCompleted) {
        PartitionFetch fetch = seen.fetch();
        TopicPartition tp = fetch.partition().topicPartition();
        MetadataImage image = services.metadata().image();
        Optional<ActorRef<PartitionActor.Command>> actor = services.partitions().lookup(tp);
        if (actor.isEmpty()) {
            return CompletableFuture.completedFuture(
                    PartitionResult.failed(fetch, Errors.NOT_LEADER_OR_FOLLOWER, LeaderHint.of(image, tp)));
        }
        long seenEnd = readCommitted ? seen.lastStableOffset() : seen.highWatermark();
        long awaitOffset = Math.max(fetch.fetchOffset(), seenEnd);
        return Ask.ask(
                        actor.get(),
                        (ActorRef<PartitionActor.ReadResponse> replyTo) -> new PartitionActor.AwaitData(
                                readOf(fetch, replyTo), awaitOffset, maxWaitMs, fetchCompleted),
                        Duration.ofMillis(maxWaitMs),
                        services.scheduler())
                .thenApply(read -> toResult(image, fetch, read, null));
    }

    /** A read of at most the partition's max bytes and the response's (KIP-74, as Kafka reads). */
    private PartitionActor.Read readOf(PartitionFetch fetch, ActorRef<PartitionActor.ReadResponse> replyTo) {
        return new PartitionActor.Read(
                fetch.fetchOffset(),
                Math.min(fetch.maxBytes(), responseMaxBytes),
                readCommitted,
                true,
                fetch.currentLeaderEpoch(),
                replyTo);
    }

    private PartitionResult toResult(
            MetadataImage image, PartitionFetch fetch, PartitionActor.ReadResponse read, Throwable failure) {
        if (failure != null) {
            // consumers retry UNKNOWN_SERVER_ERROR; REQUEST_TIMED_OUT is not a Fetch partition error
            log.warn(
                    "No Read answer from {} within {}",
                    fetch.partition(),
                    services.settings().askTimeout());
            return PartitionResult.failed(fetch, Errors.UNKNOWN_SERVER_ERROR);
        }
        if (read.error() == Errors.NOT_LEADER_OR_FOLLOWER || read.error() == Errors.FENCED_LEADER_EPOCH) {
            return PartitionResult.failed(
                    fetch, read.error(), LeaderHint.of(image, fetch.partition().topicPartition()));
        }
        if (read.error() != Errors.NONE) {
            return PartitionResult.failed(fetch, read.error());
        }
        return new PartitionResult(
                fetch,
                Errors.NONE,
                read.slice(),
                read.highWatermark(),
                read.lastStableOffset(),
                read.logStartOffset(),
                read.abortedTransactions() == null ? List.of() : read.abortedTransactions(),
                LeaderHint.NONE);
    }

    /** KIP-74 over results in request order (see the class comment). */
    List<PartitionResult> applyMaxBytes(List<PartitionResult> results) {
        List<PartitionResult> limited = new ArrayList<>(results.size());
        int remaining = responseMaxBytes;
        boolean first = true;
        for (PartitionResult result : results) {
            PartitionResult kept = result;
            if (result.recordBytes() > 0 && !first) {
                kept = result.withRecordsUpTo(Math.min(remaining, result.fetch().maxBytes()));
            }
            first &= kept.recordBytes() == 0;
            remaining = Math.max(0, remaining - kept.recordBytes());
            limited.add(kept);
        }
        return limited;
    }
}
