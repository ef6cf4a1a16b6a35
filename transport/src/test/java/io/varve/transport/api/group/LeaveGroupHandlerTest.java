package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.group.GroupCoordinator;
import io.varve.group.classic.LeaveResult;
import io.varve.group.classic.LeavingMember;
import io.varve.group.classic.MemberLeft;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class LeaveGroupHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final GroupTestContext groups = new GroupTestContext(testKit, GroupTestContext.MIXED_ASK_TIMEOUT);
    private final LeaveGroupHandler handler = new LeaveGroupHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void aBatchByMemberAndInstanceIdIsAnsweredPerMember() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler,
                new LeaveGroupRequest.Builder(
                                "g",
                                List.of(
                                        new MemberIdentity().setMemberId("m-1"),
                                        new MemberIdentity().setMemberId("").setGroupInstanceId("static-2")))
                        .build((short) 5));

        GroupCoordinator.LeaveGroup leave = groups.expect("g", GroupCoordinator.LeaveGroup.class);
        assertThat(leave.members()).containsExactly(new LeavingMember("m-1", null), new LeavingMember("", "static-2"));
        leave.replyTo()
                .tell(new LeaveResult(
                        Errors.NONE,
                        List.of(
                                new MemberLeft("m-1", null, Errors.NONE),
                                new MemberLeft("", "static-2", Errors.UNKNOWN_MEMBER_ID))));

        LeaveGroupResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.members())
                .extracting(MemberResponse::memberId, MemberResponse::groupInstanceId, MemberResponse::errorCode)
                .containsExactly(
                        tuple("m-1", null, Errors.NONE.code()), tuple("", "static-2", Errors.UNKNOWN_MEMBER_ID.code()));
    }

    @Test
    void beforeV3TheOneMembersErrorIsTheResponsesError() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler,
                new LeaveGroupRequest.Builder("g", List.of(new MemberIdentity().setMemberId("m-1"))).build((short) 2));

        GroupCoordinator.LeaveGroup leave = groups.expect("g", GroupCoordinator.LeaveGroup.class);
        assertThat(leave.members()).containsExactly(new LeavingMember("m-1", null));
        leave.replyTo()
                .tell(new LeaveResult(Errors.NONE, List.of(new MemberLeft("m-1", null, Errors.UNKNOWN_MEMBER_ID))));

        LeaveGroupResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(data.members()).isEmpty();
    }

    @Test
    void aGroupLevelErrorOrNoAnswerIsTheResponsesError() {
        CompletableFuture<ApiResponse> dead = groups.broker.call(
                handler, new LeaveGroupRequest.Builder("g", List.of(new MemberIdentity().setMemberId("m-1"))).build());
        groups.expect("g", GroupCoordinator.LeaveGroup.class)
                .replyTo()
                .tell(new LeaveResult(Errors.COORDINATOR_NOT_AVAILABLE, List.of()));
        CompletableFuture<ApiResponse> silent = groups.broker.call(
                handler, new LeaveGroupRequest.Builder("h", List.of(new MemberIdentity().setMemberId("m-1"))).build());
        groups.expect("h", GroupCoordinator.LeaveGroup.class);

        assertThat(TestBroker.<LeaveGroupResponseData>body(dead).errorCode())
                .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        LeaveGroupResponseData timedOut = TestBroker.body(silent);
        assertThat(timedOut.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(timedOut.members()).isEmpty();
    }
}
