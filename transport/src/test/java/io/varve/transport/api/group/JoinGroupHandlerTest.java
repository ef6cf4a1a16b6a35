package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.group.GroupCoordinator;
import io.varve.group.classic.JoinRequest;
import io.varve.group.classic.JoinResult;
import io.varve.group.classic.JoinedMember;
import io.varve.group.classic.Protocol;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class JoinGroupHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final GroupTestContext groups = new GroupTestContext(testKit);
    private final GroupTestContext unanswered = new GroupTestContext(testKit, GroupTestContext.SHORT_ASK_TIMEOUT);
    private final JoinGroupHandler handler = new JoinGroupHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void forwardsTheJoinAndAnswersTheLeaderWithEveryMember() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request("m-1", "static-1", 9));

        GroupCoordinator.JoinGroup join = groups.expect("g", GroupCoordinator.JoinGroup.class);
        JoinRequest forwarded = join.request();
        assertThat(forwarded)
                .extracting(
                        JoinRequest::memberId,
                        JoinRequest::groupInstanceId,
                        JoinRequest::clientId,
                        JoinRequest::clientHost,
                        JoinRequest::sessionTimeoutMs,
                        JoinRequest::rebalanceTimeoutMs,
                        JoinRequest::protocolType,
                        JoinRequest::requireKnownMemberId)
                .containsExactly("m-1", "static-1", "test-client", "/127.0.0.1", 10_000, 200, "consumer", true);
        assertThat(forwarded.protocols())
                .extracting(Protocol::name, Protocol::metadata)
                .containsExactly(tuple("range", new byte[] {1}), tuple("roundrobin", new byte[] {2}));
        join.replyTo()
                .tell(new JoinResult(
                        Errors.NONE,
                        3,
                        "consumer",
                        "range",
                        "m-1",
                        true,
                        "m-1",
                        List.of(
                                new JoinedMember("m-1", "static-1", new byte[] {1}),
                                new JoinedMember("m-2", null, new byte[] {3}))));

        JoinGroupResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.generationId()).isEqualTo(3);
        assertThat(data.protocolType()).isEqualTo("consumer");
        assertThat(data.protocolName()).isEqualTo("range");
        assertThat(data.leader()).isEqualTo("m-1");
        assertThat(data.memberId()).isEqualTo("m-1");
        assertThat(data.skipAssignment()).isTrue();
        assertThat(data.members())
                .extracting(
                        JoinGroupResponseMember::memberId,
                        JoinGroupResponseMember::groupInstanceId,
                        JoinGroupResponseMember::metadata)
                .containsExactly(tuple("m-1", "static-1", new byte[] {1}), tuple("m-2", null, new byte[] {3}));
    }

    @Test
    void beforeV4AFirstJoinNeedsNoKnownMemberIdAndV0UsesTheSessionTimeoutForRebalances() {
        groups.broker.call(handler, request("", null, 0));

        JoinRequest forwarded =
                groups.expect("g", GroupCoordinator.JoinGroup.class).request();
        assertThat(forwarded.requireKnownMemberId()).isFalse();
        assertThat(forwarded.rebalanceTimeoutMs()).isEqualTo(10_000);
    }

    @Test
    void memberIdRequiredCarriesTheNewMemberId() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request("", null, 6));

        groups.expect("g", GroupCoordinator.JoinGroup.class)
                .replyTo()
                .tell(new JoinResult(Errors.MEMBER_ID_REQUIRED, -1, null, null, "", false, "test-client-1", List.of()));

        JoinGroupResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(data.memberId()).isEqualTo("test-client-1");
        assertThat(data.generationId()).isEqualTo(-1);
        assertThat(data.leader()).isEmpty();
        assertThat(data.protocolName()).isEmpty();
        assertThat(data.members()).isEmpty();
    }

    @Test
    void anEmptyGroupIdIsInvalidWithoutAskingACoordinator() {
        JoinGroupRequestData body = request("", null, 7).data().setGroupId("");
        JoinGroupResponseData data =
                TestBroker.body(groups.broker.call(handler, new JoinGroupRequest.Builder(body).build((short) 7)));

        assertThat(data.errorCode()).isEqualTo(Errors.INVALID_GROUP_ID.code());
        assertThat(data.protocolName()).isNull();
        groups.coordinatorProbe("").expectNoMessage();
    }

    @Test
    void aCoordinatorThatDoesNotAnswerWithinTheRebalanceTimeoutIsNotAvailable() {
        CompletableFuture<ApiResponse> answer =
                unanswered.broker.call(new JoinGroupHandler(unanswered), request("m-1", null, 7));
        unanswered.expect("g", GroupCoordinator.JoinGroup.class);

        JoinGroupResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(data.memberId()).isEqualTo("m-1");
    }

    private static JoinGroupRequest request(String memberId, String groupInstanceId, int version) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        protocols.add(new JoinGroupRequestProtocol().setName("roundrobin").setMetadata(new byte[] {2}));
        return new JoinGroupRequest.Builder(new JoinGroupRequestData()
                        .setGroupId("g")
                        .setMemberId(memberId)
                        .setGroupInstanceId(groupInstanceId)
                        .setSessionTimeoutMs(10_000)
                        .setRebalanceTimeoutMs(200)
                        .setProtocolType("consumer")
                        .setProtocols(protocols))
                .build((short) version);
    }
}
