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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * OffsetsForLeaderEpoch (API 23): for each partition, the end offset of the largest leader epoch at
 * or below the requested one in this replica's lineage — what a consumer validating its position
 * after a leader change (KIP-320) and a follower finding where its log diverged (KIP-101, KIP-279)
 * need. Only the leader answers, whoever asks (as Kafka: its replica id, from v3, does not matter; a
 * v2 request reads as replica id -2, which must not let a consumer read a follower's lineage).
 * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (the current leader epoch check),
 * REQUEST_TIMED_OUT. Stateless.
 */
public final class OffsetsForLeaderEpochHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        OffsetsForLeaderEpochRequest offsets = (OffsetsForLeaderEpochRequest) request;
        MetadataImage image = context.services().metadata().image();
        List<CompletableFuture<OffsetForLeaderTopicResult>> topics = new ArrayList<>();
        for (OffsetForLeaderTopic topic : offsets.data().topics()) {
            List<CompletableFuture<EpochEndOffset>> partitions = new ArrayList<>();
            for (OffsetForLeaderPartition partition : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.topic(), partition.partition());
                partitions.add(onPartition(context.services(), image, tp, partition));
            }
            topics.add(CompletableFuture.allOf(partitions.toArray(new CompletableFuture<?>[0]))
                    .thenApply(done -> new OffsetForLeaderTopicResult()
                            .setTopic(topic.topic())
                            .setPartitions(partitions.stream()
                                    .map(CompletableFuture::join)
                                    .toList())));
        }
        return CompletableFuture.allOf(topics.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> {
                    OffsetForLeaderEpochResponseData data = new OffsetForLeaderEpochResponseData();
                    topics.forEach(topic -> data.topics().add(topic.join()));
                    return new ApiResponse(data);
                });
    }

    private static CompletableFuture<EpochEndOffset> onPartition(
            BrokerServices services, MetadataImage image, TopicPartition tp, OffsetForLeaderPartition partition) {
        if (image.partition(tp).isEmpty()) {
            return done(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Optional<ActorRef<PartitionActor.Command>> actor = services.partitions().lookup(tp);
        if (actor.isEmpty()) {
            return done(tp, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        return Ask.<PartitionActor.Command, PartitionActor.EpochEndOffset>ask(
                        actor.get(),
                        replyTo -> new PartitionActor.LastOffsetForLeaderEpoch(
                                partition.currentLeaderEpoch(), partition.leaderEpoch(), true, replyTo),
                        services.settings().askTimeout(),
                        services.scheduler())
                .handle((end, failure) -> failure != null
                        ? result(tp, Errors.REQUEST_TIMED_OUT, -1, -1L)
                        : result(tp, end.error(), end.leaderEpoch(), end.endOffset()));
    }

    private static CompletableFuture<EpochEndOffset> done(TopicPartition tp, Errors error) {
        return CompletableFuture.completedFuture(result(tp, error, -1, -1L));
    }

    private static EpochEndOffset result(TopicPartition tp, Errors error, int leaderEpoch, long endOffset) {
        return new EpochEndOffset()
                .setPartition(tp.partition())
                .setErrorCode(error.code())
                .setLeaderEpoch(leaderEpoch)
                .setEndOffset(endOffset);
    }
}
