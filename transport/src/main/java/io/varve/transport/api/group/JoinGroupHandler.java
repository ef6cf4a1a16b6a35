package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.group.classic.JoinRequest;
import io.varve.group.classic.JoinResult;
import io.varve.group.classic.JoinedMember;
import io.varve.group.classic.Protocol;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;

/**
 * JoinGroup. The coordinator answers when the rebalance completes, so the ask waits the member's
 * rebalance timeout on top of the ask timeout. From v4 a first join gets MEMBER_ID_REQUIRED.
 * Stateless.
 */
public final class JoinGroupHandler implements ApiHandler {
    private final GroupCoordinators coordinators;

    public JoinGroupHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        JoinGroupRequestData data = ((JoinGroupRequest) request).data();
        short version = context.apiVersion();
        if (data.groupId() == null || data.groupId().isEmpty()) {
            return CompletableFuture.completedFuture(failed(version, Errors.INVALID_GROUP_ID, data.memberId()));
        }
        int rebalanceTimeoutMs = version >= 1 ? data.rebalanceTimeoutMs() : data.sessionTimeoutMs();
        List<Protocol> protocols = new ArrayList<>();
        data.protocols().forEach(p -> protocols.add(new Protocol(p.name(), p.metadata())));
        JoinRequest join = new JoinRequest(
                data.memberId(),
                data.groupInstanceId(),
                context.header().clientId(),
                "/" + context.clientAddress().getAddress().getHostAddress(),
                data.sessionTimeoutMs(),
                rebalanceTimeoutMs,
                data.protocolType(),
                List.copyOf(protocols),
                version >= 4);
        CompletionStage<JoinResult> answer = GroupAsk.ask(
                coordinators,
                context,
                data.groupId(),
                replyTo -> new GroupCoordinator.JoinGroup(join, replyTo),
                Duration.ofMillis(Math.max(rebalanceTimeoutMs, 0)));
        return answer.handle((result, failure) -> failure != null
                ? failed(version, GroupAsk.error(failure), data.memberId())
                : response(version, result));
    }

    private static ApiResponse response(short version, JoinResult result) {
        if (result.error() != Errors.NONE) {
            return failed(version, result.error(), result.memberId());
        }
        List<JoinGroupResponseData.JoinGroupResponseMember> members = new ArrayList<>();
        for (JoinedMember member : result.members()) {
            members.add(new JoinGroupResponseData.JoinGroupResponseMember()
                    .setMemberId(member.memberId())
                    .setGroupInstanceId(member.groupInstanceId())
                    .setMetadata(member.metadata()));
        }
        JoinGroupResponseData body = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(result.generationId())
                .setProtocolType(result.protocolType())
                .setProtocolName(result.protocolName())
                .setLeader(result.leaderId())
                .setMemberId(result.memberId())
                .setMembers(members);
        if (version >= 9) {
            body.setSkipAssignment(result.skipAssignment());
        }
        return new ApiResponse(body);
    }

    private static ApiResponse failed(short version, Errors error, String memberId) {
        return new ApiResponse(new JoinGroupResponseData()
                .setErrorCode(error.code())
                .setGenerationId(JoinGroupRequest.UNKNOWN_GENERATION_ID)
                .setProtocolType(null)
                .setProtocolName(version >= 7 ? null : "")
                .setLeader("")
                .setMemberId(memberId == null ? "" : memberId));
    }
}
