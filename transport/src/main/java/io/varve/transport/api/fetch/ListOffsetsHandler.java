package io.varve.transport.api.fetch;

import io.varve.metadata.Ask;
import io.varve.metadata.MetadataImage;
import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * ListOffsets: one {@code PartitionActor.ListOffsets} per partition (timestamps -1 latest, -2
 * earliest, -3 max timestamp, -4 earliest local, -5 latest tiered, -6 earliest pending upload, or a
 * real timestamp; the partition resolves them), honouring the isolation level, with the leader epoch
 * of the found offset from v4 (the field does not exist before). Per-partition errors:
 * UNSUPPORTED_VERSION (a special timestamp older than the version that introduced it, or a negative
 * timestamp Kafka does not know), UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER (not hosted
 * here), INVALID_REQUEST (the same partition twice), REQUEST_TIMED_OUT (no answer in time), as
 * Kafka's ReplicaManager checks them. Stateless.
 */
public final class ListOffsetsHandler implements ApiHandler {
    /** First version with the answer's leader epoch. */
    private static final short FIRST_LEADER_EPOCH_VERSION = 4;
    /** First version that can answer OFFSET_NOT_AVAILABLE. */
    private static final short FIRST_OFFSET_NOT_AVAILABLE_VERSION = 5;

    /** The first version that may ask each special timestamp (Kafka 4.x's ReplicaManager). */
    private static final Map<Long, Short> SPECIAL_TIMESTAMP_VERSIONS = Map.of(
            ListOffsetsRequest.EARLIEST_TIMESTAMP, (short) 1,
            ListOffsetsRequest.LATEST_TIMESTAMP, (short) 1,
            ListOffsetsRequest.MAX_TIMESTAMP, (short) 7,
            ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP, (short) 8,
            ListOffsetsRequest.LATEST_TIERED_TIMESTAMP, (short) 9,
            ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP, (short) 11);

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        ListOffsetsRequest listOffsets = (ListOffsetsRequest) request;
        boolean readCommitted = listOffsets.isolationLevel() == IsolationLevel.READ_COMMITTED;
        Set<TopicPartition> duplicates = listOffsets.duplicatePartitions();
        short version = context.apiVersion();
        MetadataImage image = context.services().metadata().image();
        List<CompletableFuture<ListOffsetsTopicResponse>> topics = new ArrayList<>();
        for (ListOffsetsTopic topic : listOffsets.topics()) {
            List<CompletableFuture<ListOffsetsPartitionResponse>> partitions = new ArrayList<>();
            for (ListOffsetsPartition partition : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), partition.partitionIndex());
                partitions.add(onPartition(context, image, tp, partition, readCommitted, duplicates)
                        .thenApply(answer -> forVersion(answer, version)));
            }
            topics.add(CompletableFuture.allOf(partitions.toArray(new CompletableFuture<?>[0]))
                    .thenApply(done -> new ListOffsetsTopicResponse()
                            .setName(topic.name())
                            .setPartitions(partitions.stream()
                                    .map(CompletableFuture::join)
                                    .toList())));
        }
        return CompletableFuture.allOf(topics.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> new ApiResponse(new ListOffsetsResponseData()
                        .setTopics(topics.stream().map(CompletableFuture::join).toList())));
    }

    private static CompletableFuture<ListOffsetsPartitionResponse> onPartition(
            RequestContext context,
            MetadataImage image,
            TopicPartition tp,
            ListOffsetsPartition partition,
            boolean readCommitted,
            Set<TopicPartition> duplicates) {
        if (duplicates.contains(tp)) {
            return failed(tp, Errors.INVALID_REQUEST);
        }
        if (isUnsupported(partition.timestamp(), context.apiVersion())) {
            return failed(tp, Errors.UNSUPPORTED_VERSION);
        }
        if (image.partition(tp).isEmpty()) {
            return failed(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        BrokerServices services = context.services();
        Optional<ActorRef<PartitionActor.Command>> actor = services.partitions().lookup(tp);
        if (actor.isEmpty()) {
            return failed(tp, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        CompletionStage<PartitionActor.ListOffsetsResponse> answer = Ask.ask(
                actor.get(),
                replyTo -> new PartitionActor.ListOffsets(
                        partition.timestamp(), readCommitted, partition.currentLeaderEpoch(), replyTo),
                services.settings().askTimeout(),
                services.scheduler());
        return answer.handle((found, failure) -> failure != null
                        ? response(tp, Errors.REQUEST_TIMED_OUT, -1L, -1L, -1)
                        : response(tp, found.error(), found.timestamp(), found.offset(), found.leaderEpoch()))
                .toCompletableFuture();
    }

    /**
     * What {@code version} can carry: no leader epoch before v4 (kafka-clients refuses to encode one),
     * and OFFSET_NOT_AVAILABLE only from v5, LEADER_NOT_AVAILABLE before, as Kafka downgrades it.
     */
    private static ListOffsetsPartitionResponse forVersion(ListOffsetsPartitionResponse answer, short version) {
        if (version < FIRST_LEADER_EPOCH_VERSION) {
            answer.setLeaderEpoch(-1);
        }
        if (version < FIRST_OFFSET_NOT_AVAILABLE_VERSION && answer.errorCode() == Errors.OFFSET_NOT_AVAILABLE.code()) {
            answer.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
        }
        return answer;
    }

    private static boolean isUnsupported(long timestamp, short version) {
        if (timestamp >= 0) {
            return false;
        }
        Short first = SPECIAL_TIMESTAMP_VERSIONS.get(timestamp);
        return first == null || version < first;
    }

    private static CompletableFuture<ListOffsetsPartitionResponse> failed(TopicPartition tp, Errors error) {
        return CompletableFuture.completedFuture(response(tp, error, -1L, -1L, -1));
    }

    private static ListOffsetsPartitionResponse response(
            TopicPartition tp, Errors error, long timestamp, long offset, int leaderEpoch) {
        return new ListOffsetsPartitionResponse()
                .setPartitionIndex(tp.partition())
                .setErrorCode(error.code())
                .setTimestamp(timestamp)
                .setOffset(offset)
                .setLeaderEpoch(leaderEpoch);
    }
}
