package io.varve.transport.api.fetch;

import io.varve.metadata.MetadataImage;
import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.internal.Ask;
import java.util.ArrayList;
import java.util.List;
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
 * earliest, -3 max timestamp, -4 earliest local, or a real timestamp; the partition resolves them),
 * honouring the isolation level, with the leader epoch of the found offset. Per-partition errors:
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER (not hosted here), INVALID_REQUEST (the same
 * partition twice, as Kafka), REQUEST_TIMED_OUT (no answer in time). Stateless.
 */
public final class ListOffsetsHandler implements ApiHandler {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        ListOffsetsRequest listOffsets = (ListOffsetsRequest) request;
        boolean readCommitted = listOffsets.isolationLevel() == IsolationLevel.READ_COMMITTED;
        Set<TopicPartition> duplicates = listOffsets.duplicatePartitions();
        MetadataImage image = context.services().metadata().image();
        List<CompletableFuture<ListOffsetsTopicResponse>> topics = new ArrayList<>();
        for (ListOffsetsTopic topic : listOffsets.topics()) {
            List<CompletableFuture<ListOffsetsPartitionResponse>> partitions = new ArrayList<>();
            for (ListOffsetsPartition partition : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), partition.partitionIndex());
                partitions.add(onPartition(context, image, tp, partition, readCommitted, duplicates));
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
