package io.varve.transport.api.group;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;

/**
 * OffsetCommit (by topic name, up to v9). Partitions of unknown topics get
 * UNKNOWN_TOPIC_OR_PARTITION and too-long metadata OFFSET_METADATA_TOO_LARGE, as in Kafka; the
 * rest go to the coordinator in one command, with the topic's current id, whose error (member,
 * generation) applies to all of them. Before v9 a missing group is ILLEGAL_GENERATION rather than GROUP_ID_NOT_FOUND. Stateless.
 */
public final class OffsetCommitHandler implements ApiHandler {
    private final GroupCoordinators coordinators;
    private final int offsetMetadataMaxBytes;

    public OffsetCommitHandler(GroupCoordinators coordinators, int offsetMetadataMaxBytes) {
        this.coordinators = coordinators;
        this.offsetMetadataMaxBytes = offsetMetadataMaxBytes;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    /** v10 names topics by id only; clients fall back to v9. */
    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        OffsetCommitRequestData data = ((OffsetCommitRequest) request).data();
        OffsetCommitValidation validation =
                new OffsetCommitValidation(context.services().metadata().image(), offsetMetadataMaxBytes);
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                validation.add(
                        topic.name(),
                        p.partitionIndex(),
                        p.committedOffset(),
                        p.committedLeaderEpoch(),
                        p.committedMetadata());
            }
        }
        Map<TopicPartition, Errors> errors = validation.errors();
        Map<TopicPartition, CommittedOffset> valid = validation.valid();
        if (valid.isEmpty()) {
            return CompletableFuture.completedFuture(response(data, errors, Errors.NONE));
        }
        CompletionStage<GroupCoordinator.ErrorResult> answer = GroupAsk.ask(
                coordinators,
                context,
                data.groupId(),
                replyTo -> new GroupCoordinator.CommitOffsets(
                        data.memberId(), data.groupInstanceId(), data.generationIdOrMemberEpoch(), valid, replyTo));
        short version = context.apiVersion();
        return answer.handle((result, failure) -> {
            Errors error = failure != null ? GroupAsk.error(failure) : result.error();
            if (error == Errors.GROUP_ID_NOT_FOUND && version < 9) {
                error = Errors.ILLEGAL_GENERATION;
            }
            return response(data, errors, error);
        });
    }

    private static ApiResponse response(
            OffsetCommitRequestData data, Map<TopicPartition, Errors> errors, Errors coordinatorError) {
        OffsetCommitResponseData body = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic out =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                Errors error =
                        errors.getOrDefault(new TopicPartition(topic.name(), p.partitionIndex()), coordinatorError);
                out.partitions()
                        .add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(error.code()));
            }
            body.topics().add(out);
        }
        return new ApiResponse(body);
    }
}
