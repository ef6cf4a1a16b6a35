package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.group.classic.SyncRequest;
import io.varve.group.classic.SyncResult;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

/**
 * SyncGroup. Followers are answered when the leader has sent the assignment, so the ask waits
 * longer than the rebalance timeout the coordinator enforces. Stateless.
 */
public final class SyncGroupHandler implements ApiHandler {
    /** Kafka's default rebalance timeout; a follower waits at most this long for the leader. */
    private static final Duration SYNC_WAIT = Duration.ofMinutes(5);

    private final GroupCoordinators coordinators;

    public SyncGroupHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        SyncGroupRequestData data = ((SyncGroupRequest) request).data();
        Map<String, byte[]> assignments = new HashMap<>();
        data.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        SyncRequest sync = new SyncRequest(
                data.memberId(),
                data.groupInstanceId(),
                data.generationId(),
                data.protocolType(),
                data.protocolName(),
                Map.copyOf(assignments));
        CompletionStage<SyncResult> answer = GroupAsk.ask(
                coordinators,
                context,
                data.groupId(),
                replyTo -> new GroupCoordinator.SyncGroup(sync, replyTo),
                SYNC_WAIT);
        return answer.handle((result, failure) -> {
            SyncResult r = failure != null ? new SyncResult(GroupAsk.error(failure), null, null, new byte[0]) : result;
            return new ApiResponse(new SyncGroupResponseData()
                    .setErrorCode(r.error().code())
                    .setProtocolType(r.protocolType())
                    .setProtocolName(r.protocolName())
                    .setAssignment(r.assignment()));
        });
    }
}
