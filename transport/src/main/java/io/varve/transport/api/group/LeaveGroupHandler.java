package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.group.classic.LeaveResult;
import io.varve.group.classic.LeavingMember;
import io.varve.group.classic.MemberLeft;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;

/**
 * LeaveGroup: one member (v0–2) or a batch, by member id or by {@code group.instance.id} (v3+,
 * KIP-345). Before v3 the member's own error is the top-level error. Stateless.
 */
public final class LeaveGroupHandler implements ApiHandler {
    private final GroupCoordinators coordinators;

    public LeaveGroupHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        LeaveGroupRequest leave = (LeaveGroupRequest) request;
        List<LeavingMember> members = new ArrayList<>();
        leave.members().forEach(m -> members.add(new LeavingMember(m.memberId(), m.groupInstanceId())));
        CompletionStage<LeaveResult> answer = GroupAsk.ask(
                coordinators,
                context,
                leave.data().groupId(),
                replyTo -> new GroupCoordinator.LeaveGroup(List.copyOf(members), replyTo));
        short version = context.apiVersion();
        return answer.handle((result, failure) -> failure != null
                ? new ApiResponse(new LeaveGroupResponseData()
                        .setErrorCode(GroupAsk.error(failure).code()))
                : response(version, result));
    }

    private static ApiResponse response(short version, LeaveResult result) {
        LeaveGroupResponseData body =
                new LeaveGroupResponseData().setErrorCode(result.error().code());
        if (version < 3) {
            if (result.error() == Errors.NONE && !result.members().isEmpty()) {
                body.setErrorCode(result.members().get(0).error().code());
            }
            return new ApiResponse(body);
        }
        List<LeaveGroupResponseData.MemberResponse> members = new ArrayList<>();
        for (MemberLeft left : result.members()) {
            members.add(new LeaveGroupResponseData.MemberResponse()
                    .setMemberId(left.memberId())
                    .setGroupInstanceId(left.groupInstanceId())
                    .setErrorCode(left.error().code()));
        }
        return new ApiResponse(body.setMembers(members));
    }
}
