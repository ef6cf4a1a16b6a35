package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

/**
 * OffsetDelete: removes committed offsets of partitions the group's consumers do not subscribe to
 * (GROUP_SUBSCRIBED_TO_TOPIC otherwise). Stateless.
 */
public final class OffsetDeleteHandler implements ApiHandler {
    private final GroupCoordinators coordinators;

    public OffsetDeleteHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        OffsetDeleteRequestData data = ((OffsetDeleteRequest) request).data();
        List<TopicPartition> partitions = new ArrayList<>();
        data.topics().forEach(t -> t.partitions()
                .forEach(p -> partitions.add(new TopicPartition(t.name(), p.partitionIndex()))));
        CompletionStage<GroupCoordinator.OffsetDeleteResult> answer = GroupAsk.ask(
                coordinators,
                context,
                data.groupId(),
                replyTo -> new GroupCoordinator.DeleteOffsets(List.copyOf(partitions), replyTo));
        return answer.handle((result, failure) -> {
            OffsetDeleteResponseData body = new OffsetDeleteResponseData();
            if (failure != null || result.error() != Errors.NONE) {
                Errors error = failure != null ? GroupAsk.error(failure) : result.error();
                return new ApiResponse(body.setErrorCode(error.code()));
            }
            for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : data.topics()) {
                OffsetDeleteResponseData.OffsetDeleteResponseTopic out =
                        new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.name());
                for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : topic.partitions()) {
                    Errors error = result.partitions()
                            .getOrDefault(new TopicPartition(topic.name(), p.partitionIndex()), Errors.NONE);
                    out.partitions()
                            .add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                                    .setPartitionIndex(p.partitionIndex())
                                    .setErrorCode(error.code()));
                }
                body.topics().add(out);
            }
            return new ApiResponse(body);
        });
    }
}
