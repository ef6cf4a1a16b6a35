package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.group.GroupCoordinator;
import io.varve.group.classic.GroupDescription;
import io.varve.group.classic.GroupState;
import io.varve.group.classic.MemberDescription;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.AuthorizedOperations;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DescribeGroupsHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final GroupTestContext groups = new GroupTestContext(testKit, GroupTestContext.MIXED_ASK_TIMEOUT);
    private final DescribeGroupsHandler handler = new DescribeGroupsHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void describesStateProtocolAndMembersInRequestOrder() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request(5, "g", "missing", "silent"));
        groups.expect("g", GroupCoordinator.DescribeGroup.class)
                .replyTo()
                .tell(new GroupDescription(
                        true,
                        GroupState.STABLE,
                        "consumer",
                        "range",
                        List.of(new MemberDescription(
                                "m-1", "static-1", "client-1", "/10.0.0.1", new byte[] {1}, new byte[] {2}))));
        groups.expect("missing", GroupCoordinator.DescribeGroup.class)
                .replyTo()
                .tell(new GroupDescription(false, GroupState.DEAD, "", "", List.of()));
        groups.expect("silent", GroupCoordinator.DescribeGroup.class);

        DescribeGroupsResponseData data = TestBroker.body(answer);
        assertThat(data.groups())
                .extracting(
                        DescribedGroup::groupId,
                        DescribedGroup::errorCode,
                        DescribedGroup::groupState,
                        DescribedGroup::protocolType,
                        DescribedGroup::protocolData)
                .containsExactly(
                        tuple("g", Errors.NONE.code(), "Stable", "consumer", "range"),
                        tuple("missing", Errors.NONE.code(), "Dead", "", ""),
                        tuple("silent", Errors.COORDINATOR_NOT_AVAILABLE.code(), "", "", ""));
        assertThat(data.groups().get(0).members())
                .extracting(
                        DescribedGroupMember::memberId,
                        DescribedGroupMember::groupInstanceId,
                        DescribedGroupMember::clientId,
                        DescribedGroupMember::clientHost,
                        DescribedGroupMember::memberMetadata,
                        DescribedGroupMember::memberAssignment)
                .containsExactly(tuple("m-1", "static-1", "client-1", "/10.0.0.1", new byte[] {1}, new byte[] {2}));
    }

    @Test
    void fromV6AGroupThatDoesNotExistIsGroupIdNotFound() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request(6, "missing"));
        groups.expect("missing", GroupCoordinator.DescribeGroup.class)
                .replyTo()
                .tell(new GroupDescription(false, GroupState.DEAD, "", "", List.of()));

        DescribedGroup group =
                TestBroker.<DescribeGroupsResponseData>body(answer).groups().get(0);
        assertThat(group.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        assertThat(group.errorMessage()).isEqualTo("Group missing not found.");
        assertThat(group.groupState()).isEqualTo("Dead");
        assertThat(group.members()).isEmpty();
    }

    /** No authorizer: every operation Kafka 4 defines on groups, for groups answered without error. */
    @Test
    void reportsAuthorizedOperationsFromV3WhenAsked() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler,
                new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData()
                                .setGroups(List.of("g", "missing"))
                                .setIncludeAuthorizedOperations(true))
                        .build((short) 6));
        groups.expect("g", GroupCoordinator.DescribeGroup.class)
                .replyTo()
                .tell(new GroupDescription(true, GroupState.EMPTY, "consumer", "", List.of()));
        groups.expect("missing", GroupCoordinator.DescribeGroup.class)
                .replyTo()
                .tell(new GroupDescription(false, GroupState.DEAD, "", "", List.of()));

        List<DescribedGroup> described =
                TestBroker.<DescribeGroupsResponseData>body(answer).groups();
        assertThat(AuthorizedOperations.codes(described.get(0).authorizedOperations()))
                .containsExactlyInAnyOrder(
                        AclOperation.READ.code(),
                        AclOperation.DESCRIBE.code(),
                        AclOperation.DELETE.code(),
                        AclOperation.DESCRIBE_CONFIGS.code(),
                        AclOperation.ALTER_CONFIGS.code());
        assertThat(described.get(1).authorizedOperations()).isEqualTo(Integer.MIN_VALUE);
    }

    private static DescribeGroupsRequest request(int version, String... groupIds) {
        return new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData().setGroups(List.of(groupIds)))
                .build((short) version);
    }
}
