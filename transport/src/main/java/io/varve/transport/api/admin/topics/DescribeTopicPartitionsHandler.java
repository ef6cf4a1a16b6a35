package io.varve.transport.api.admin.topics;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.AuthorizedOperations;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;

/**
 * DescribeTopicPartitions (KIP-966): the named topics (or all) sorted by name, their partitions
 * from the metadata image, paginated by {@code responsePartitionLimit} (at most {@value
 * #MAX_PARTITION_LIMIT}, Kafka's {@code max.request.partition.size.limit} default) with a cursor.
 * Varve has no eligible leader replicas (ELR), so those lists are empty. Every topic carries its
 * authorized operations (all of them: no authorizer), as Kafka's handler sets them. Answers on the
 * caller's thread.
 */
public final class DescribeTopicPartitionsHandler implements ApiHandler {
    static final int MAX_PARTITION_LIMIT = 2000;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeTopicPartitionsRequestData data = ((DescribeTopicPartitionsRequest) request).data();
        MetadataImage image = context.services().metadata().image();
        TreeSet<String> names = new TreeSet<>();
        boolean all = data.topics().isEmpty();
        if (all) {
            names.addAll(image.topicsByName().keySet());
        } else {
            data.topics().forEach(topic -> names.add(topic.name()));
        }
        DescribeTopicPartitionsRequestData.Cursor cursor = data.cursor();
        if (cursor != null && !all && !names.contains(cursor.topicName())) {
            // Kafka refuses the whole request then.
            return CompletableFuture.completedFuture(new ApiResponse(request.getErrorResponse(
                            0, new InvalidRequestException("the given cursor topic is not in the requested topics."))
                    .data()));
        }
        int limit = Math.max(1, Math.min(data.responsePartitionLimit(), MAX_PARTITION_LIMIT));
        Iterable<String> fromCursor = cursor == null ? names : names.tailSet(cursor.topicName(), true);
        DescribeTopicPartitionsResponseData response = page(image, fromCursor, cursor, limit);
        return CompletableFuture.completedFuture(new ApiResponse(response));
    }

    /** Up to {@code limit} partitions from the cursor on, and the cursor of the next page if any. */
    private static DescribeTopicPartitionsResponseData page(
            MetadataImage image, Iterable<String> names, DescribeTopicPartitionsRequestData.Cursor cursor, int limit) {
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        int remaining = limit;
        for (String name : names) {
            if (remaining == 0) {
                return response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(0));
            }
            Optional<TopicImage> topic = image.topic(name);
            if (topic.isEmpty()) {
                response.topics().add(unknown(name));
                continue;
            }
            DescribeTopicPartitionsResponseTopic described = described(topic.get());
            response.topics().add(described);
            int count = topic.get().partitions().size();
            int partition = cursor != null && name.equals(cursor.topicName()) ? cursor.partitionIndex() : 0;
            for (; partition < count && remaining > 0; partition++, remaining--) {
                described.partitions().add(partition(topic.get().partitions().get(partition), image));
            }
            if (partition < count) {
                return response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(partition));
            }
        }
        return response;
    }

    private static DescribeTopicPartitionsResponseTopic unknown(String name) {
        return new DescribeTopicPartitionsResponseTopic()
                .setName(name)
                .setTopicId(Uuid.ZERO_UUID)
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                .setIsInternal(Topic.isInternal(name))
                .setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
    }

    private static DescribeTopicPartitionsResponseTopic described(TopicImage topic) {
        return new DescribeTopicPartitionsResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.topicId())
                .setErrorCode(Errors.NONE.code())
                .setIsInternal(Topic.isInternal(topic.name()))
                .setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
    }

    private static DescribeTopicPartitionsResponsePartition partition(
            PartitionRegistration registration, MetadataImage image) {
        return new DescribeTopicPartitionsResponsePartition()
                .setPartitionIndex(registration.partition())
                .setErrorCode(registration.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                .setLeaderId(registration.leader())
                .setLeaderEpoch(registration.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(registration.replicas()))
                .setIsrNodes(new ArrayList<>(registration.isr()))
                .setEligibleLeaderReplicas(new ArrayList<>())
                .setLastKnownElr(new ArrayList<>())
                .setOfflineReplicas(new ArrayList<>(registration.replicas().stream()
                        .filter(replica -> !image.isLive(replica))
                        .toList()));
    }
}
