package io.varve.transport.api.group;

import io.varve.group.GroupCoordinators;
import io.varve.group.classic.GroupDescription;
import io.varve.group.classic.MemberDescription;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.AuthorizedOperations;
import io.varve.transport.api.RequestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

/**
 * DescribeGroups: state, protocol and members (metadata and assignment once stable). A group that
 * does not exist is "Dead", with GROUP_ID_NOT_FOUND from v6 as in Kafka 4. The authorized operations,
 * asked for from v3, are all of a group's (no authorizer), for groups answered without error, as
 * Kafka. Stateless.
 */
public final class DescribeGroupsHandler implements ApiHandler {
    private static final short FIRST_OPERATIONS_VERSION = 3;
    private final GroupCoordinators coordinators;

    public DescribeGroupsHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeGroupsRequestData data = ((DescribeGroupsRequest) request).data();
        List<String> groupIds = data.groups();
        short version = context.apiVersion();
        return GroupDescriptions.describe(coordinators, context, groupIds).thenApply(described -> {
            Map<String, GroupDescription> byId = new HashMap<>();
            described.forEach(d -> byId.put(d.groupId(), d.description()));
            DescribeGroupsResponseData body = new DescribeGroupsResponseData();
            boolean operations = version >= FIRST_OPERATIONS_VERSION && data.includeAuthorizedOperations();
            for (String groupId : groupIds) {
                DescribeGroupsResponseData.DescribedGroup group = describedGroup(version, groupId, byId.get(groupId));
                if (operations && group.errorCode() == Errors.NONE.code()) {
                    group.setAuthorizedOperations(AuthorizedOperations.GROUP);
                }
                body.groups().add(group);
            }
            return new ApiResponse(body);
        });
    }

    private static DescribeGroupsResponseData.DescribedGroup describedGroup(
            short version, String groupId, GroupDescription description) {
        DescribeGroupsResponseData.DescribedGroup group =
                new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId);
        if (description == null) {
            return group.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        if (!description.exists()) {
            Errors error = version >= 6 ? Errors.GROUP_ID_NOT_FOUND : Errors.NONE;
            return group.setErrorCode(error.code())
                    .setErrorMessage(version >= 6 ? "Group " + groupId + " not found." : null)
                    .setGroupState("Dead")
                    .setProtocolType("")
                    .setProtocolData("");
        }
        group.setErrorCode(Errors.NONE.code())
                .setGroupState(description.state().kafkaName())
                .setProtocolType(description.protocolType())
                .setProtocolData(description.protocolName());
        for (MemberDescription m : description.members()) {
            group.members()
                    .add(new DescribeGroupsResponseData.DescribedGroupMember()
                            .setMemberId(m.memberId())
                            .setGroupInstanceId(m.groupInstanceId())
                            .setClientId(m.clientId())
                            .setClientHost(m.clientHost())
                            .setMemberMetadata(m.metadata())
                            .setMemberAssignment(m.assignment()));
        }
        return group;
    }
}
