package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;

/** Heartbeat: keeps a member's session alive and tells it when a rebalance started. Stateless. */
public final class HeartbeatHandler implements ApiHandler {
    private final GroupCoordinators coordinators;

    public HeartbeatHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        HeartbeatRequestData data = ((HeartbeatRequest) request).data();
        CompletionStage<GroupCoordinator.ErrorResult> answer = GroupAsk.ask(
                coordinators,
                context,
                data.groupId(),
                replyTo -> new GroupCoordinator.Heartbeat(
                        data.memberId(), data.groupInstanceId(), data.generationId(), replyTo));
        return answer.handle((result, failure) -> new ApiResponse(new HeartbeatResponseData()
                .setErrorCode(
                        failure != null
                                ? GroupAsk.error(failure).code()
                                : result.error().code())));
    }
}
