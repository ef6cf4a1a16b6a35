package io.varve.transport.api.fetch;

import io.varve.metadata.Ask;
import io.varve.metadata.MetadataImage;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionActor.ReplicaReadResponse;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.codec.LogSliceRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A follower's Fetch (a replica id ≥ 0) on this leader: each partition gets a {@code ReplicaRead}
 * (epoch and divergence checks, records up to the log end offset, the follower's progress noted),
 * answered with the leader's high watermark, log start offset and, when the follower's log left the
 * leader's lineage, the diverging epoch (Fetch v12+). With fewer than {@code minBytes} and no error,
 * the fetch waits for the first partition whose log end offset moves ({@code AwaitLogEnd}) and reads
 * that one again, until {@code maxWaitMs}. Record sections go out with sendfile like a consumer's.
 * Sessions are not used: followers send full fetches. A throttled partition ({@link LeaderThrottle})
 * is read (the follower's progress still counts) but its records are held back while the node's
 * leader replication quota is spent. One instance per request; state lives in
 * futures and is only touched on the thread completing them, one step at a time.
 */
final class ReplicaFetchOperation {
    private static final short FIRST_TOPIC_ID_VERSION = 13;

    private final BrokerServices services;
    private final FetchRequest fetch;
    private final short version;
    private final Map<TopicIdPartition, FetchRequest.PartitionData> partitions;
    private final CompletableFuture<Void> deadline = new CompletableFuture<>();
    private final LeaderThrottle throttle;
    /** Partitions whose records this answer leaves out: throttled, with the leader quota spent. */
    private final Set<TopicIdPartition> heldBack;

    ReplicaFetchOperation(BrokerServices services, FetchRequest fetch, short version) {
        this.services = services;
        this.fetch = fetch;
        this.version = version;
        this.partitions = fetch.fetchData(services.metadata().image().topicNamesById());
        this.throttle = LeaderThrottle.of(services, fetch.replicaId());
        this.heldBack = throttle.heldBack(partitions.keySet());
    }

    CompletionStage<ApiResponse> run() {
        Cancellable timer = services.scheduler()
                .scheduleOnce(
                        Duration.ofMillis(Math.max(0, fetch.maxWait())), () -> deadline.complete(null), Ask.INLINE);
        return readAll(new ArrayList<>(partitions.keySet()))
                .thenCompose(this::untilSatisfied)
                .thenApply(results -> new ApiResponse(response(results)))
                .whenComplete((response, failure) -> timer.cancel());
    }

    private CompletableFuture<Map<TopicIdPartition, ReplicaReadResponse>> readAll(List<TopicIdPartition> which) {
        MetadataImage image = services.metadata().image();
        Map<TopicIdPartition, CompletableFuture<ReplicaReadResponse>> reads = new LinkedHashMap<>();
        which.forEach(tp -> reads.put(tp, read(image, tp, partitions.get(tp))));
        return CompletableFuture.allOf(reads.values().toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> {
                    Map<TopicIdPartition, ReplicaReadResponse> results = new LinkedHashMap<>();
                    reads.forEach((tp, future) -> results.put(tp, future.join()));
                    return results;
                });
    }

    private CompletableFuture<ReplicaReadResponse> read(
            MetadataImage image, TopicIdPartition tp, FetchRequest.PartitionData data) {
        if (tp.topic() == null) {
            return CompletableFuture.completedFuture(failed(Errors.UNKNOWN_TOPIC_ID));
        }
        if (image.partition(tp.topicPartition()).isEmpty()) {
            return CompletableFuture.completedFuture(failed(Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        Optional<ActorRef<PartitionActor.Command>> actor = services.partitions().lookup(tp.topicPartition());
        if (actor.isEmpty()) {
            return CompletableFuture.completedFuture(failed(Errors.NOT_LEADER_OR_FOLLOWER));
        }
        return Ask.<PartitionActor.Command, ReplicaReadResponse>ask(
                        actor.get(),
                        replyTo -> new PartitionActor.ReplicaRead(
                                fetch.replicaId(),
                                fetch.replicaEpoch(),
                                data.fetchOffset,
                                data.logStartOffset,
                                data.currentLeaderEpoch.orElse(-1),
                                data.lastFetchedEpoch.orElse(-1),
                                data.maxBytes,
                                replyTo),
                        services.settings().askTimeout(),
                        services.scheduler())
                .exceptionally(failure -> failed(Errors.UNKNOWN_SERVER_ERROR));
    }

    private static ReplicaReadResponse failed(Errors error) {
        return new ReplicaReadResponse(null, error, null, null, -1L, -1L, -1L, -1, -1L);
    }

    private CompletionStage<Map<TopicIdPartition, ReplicaReadResponse>> untilSatisfied(
            Map<TopicIdPartition, ReplicaReadResponse> results) {
        if (deadline.isDone() || isSatisfied(results)) {
            return CompletableFuture.completedFuture(results);
        }
        return awaitLogEnd(results).thenCompose(woken -> {
            List<TopicIdPartition> again = woken.map(List::of).orElseGet(() -> new ArrayList<>(results.keySet()));
            return readAll(again).thenCompose(fresh -> {
                Map<TopicIdPartition, ReplicaReadResponse> merged = new LinkedHashMap<>(results);
                merged.putAll(fresh);
                return untilSatisfied(merged);
            });
        });
    }

    private boolean isSatisfied(Map<TopicIdPartition, ReplicaReadResponse> results) {
        long bytes = 0;
        for (Map.Entry<TopicIdPartition, ReplicaReadResponse> entry : results.entrySet()) {
            ReplicaReadResponse result = entry.getValue();
            if (result.error() != Errors.NONE || result.divergingEpoch() >= 0) {
                return true;
            }
            if (!heldBack.contains(entry.getKey())) {
                bytes += result.slice() == null ? 0 : result.slice().length();
            }
        }
        return bytes >= fetch.minBytes();
    }

    /**
     * The first partition whose log end offset passes its fetch offset, or none at the deadline; held
     * back partitions are not waited on (their log end is already past, they would wake it at once).
     */
    private CompletableFuture<Optional<TopicIdPartition>> awaitLogEnd(
            Map<TopicIdPartition, ReplicaReadResponse> results) {
        CompletableFuture<Optional<TopicIdPartition>> woken = new CompletableFuture<>();
        deadline.thenRun(() -> woken.complete(Optional.empty()));
        Duration timeout = Duration.ofMillis(Math.max(1, fetch.maxWait()));
        for (TopicIdPartition tp : results.keySet()) {
            if (heldBack.contains(tp)) {
                continue;
            }
            long fetchOffset = partitions.get(tp).fetchOffset;
            services.partitions()
                    .lookup(tp.topicPartition())
                    .ifPresent(actor -> Ask.<PartitionActor.Command, PartitionActor.DataAvailable>ask(
                                    actor,
                                    replyTo -> new PartitionActor.AwaitLogEnd(
                                            fetchOffset, fetch.maxWait(), woken::isDone, replyTo),
                                    timeout,
                                    services.scheduler())
                            .thenRun(() -> woken.complete(Optional.of(tp))));
        }
        return woken;
    }

    /** The answer in request order, the response's max bytes applied as for consumers (KIP-74). */
    private FetchResponseData response(Map<TopicIdPartition, ReplicaReadResponse> results) {
        FetchResponseData data =
                new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
        FetchableTopicResponse topic = null;
        long remaining = fetch.maxBytes();
        boolean first = true;
        for (Map.Entry<TopicIdPartition, ReplicaReadResponse> entry : results.entrySet()) {
            TopicIdPartition tp = entry.getKey();
            if (topic == null || !isSameTopic(topic, tp)) {
                topic = version >= FIRST_TOPIC_ID_VERSION
                        ? new FetchableTopicResponse().setTopicId(tp.topicId())
                        : new FetchableTopicResponse().setTopic(tp.topic());
                data.responses().add(topic);
            }
            ReplicaReadResponse result = entry.getValue();
            int bytes = result.slice() == null ? 0 : result.slice().length();
            boolean keep = bytes > 0
                    && !heldBack.contains(tp)
                    && (first || (bytes <= remaining && bytes <= partitions.get(tp).maxBytes));
            if (keep) {
                remaining = Math.max(0, remaining - bytes);
                first = false;
                throttle.sent(tp, bytes);
            }
            topic.partitions().add(partition(tp, result, keep));
        }
        return data;
    }

    private boolean isSameTopic(FetchableTopicResponse topic, TopicIdPartition tp) {
        return version >= FIRST_TOPIC_ID_VERSION
                ? topic.topicId().equals(tp.topicId())
                : topic.topic().equals(tp.topic());
    }

    private static PartitionData partition(TopicIdPartition tp, ReplicaReadResponse result, boolean withRecords) {
        PartitionData partition = new PartitionData()
                .setPartitionIndex(tp.partition())
                .setErrorCode(result.error().code())
                .setHighWatermark(result.highWatermark())
                .setLastStableOffset(result.lastStableOffset())
                .setLogStartOffset(result.logStartOffset())
                .setRecords(records(result, withRecords));
        if (result.divergingEpoch() >= 0) {
            partition.setDivergingEpoch(new FetchResponseData.EpochEndOffset()
                    .setEpoch(result.divergingEpoch())
                    .setEndOffset(result.divergingEndOffset()));
        }
        return partition;
    }

    private static BaseRecords records(ReplicaReadResponse result, boolean withRecords) {
        if (!withRecords) {
            return MemoryRecords.EMPTY;
        }
        return result.slice().hasBytes()
                ? MemoryRecords.readableRecords(result.slice().bytes().duplicate())
                : new LogSliceRecords(result.slice());
    }
}
