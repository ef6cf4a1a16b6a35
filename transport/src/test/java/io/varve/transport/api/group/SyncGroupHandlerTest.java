package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.group.GroupCoordinator;
import io.varve.group.classic.SyncRequest;
import io.varve.group.classic.SyncResult;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SyncGroupHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final GroupTestContext groups = new GroupTestContext(testKit);
    private final SyncGroupHandler handler = new SyncGroupHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void forwardsTheLeadersAssignmentsAndAnswersTheMembersOwn() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request(5));

        GroupCoordinator.SyncGroup sync = groups.expect("g", GroupCoordinator.SyncGroup.class);
        SyncRequest forwarded = sync.request();
        assertThat(forwarded)
                .extracting(
                        SyncRequest::memberId,
                        SyncRequest::groupInstanceId,
                        SyncRequest::generationId,
                        SyncRequest::protocolType,
                        SyncRequest::protocolName)
                .containsExactly("m-1", "static-1", 4, "consumer", "range");
        assertThat(forwarded.assignments()).containsOnlyKeys("m-1", "m-2");
        assertThat(forwarded.assignments().get("m-1")).containsExactly(1, 1);
        assertThat(forwarded.assignments().get("m-2")).containsExactly(2);
        sync.replyTo().tell(new SyncResult(Errors.NONE, "consumer", "range", new byte[] {1, 1}));

        SyncGroupResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.protocolType()).isEqualTo("consumer");
        assertThat(data.protocolName()).isEqualTo("range");
        assertThat(data.assignment()).containsExactly(1, 1);
    }

    @Test
    void beforeV5TheProtocolIsNotSentOrAnswered() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request(3));

        GroupCoordinator.SyncGroup sync = groups.expect("g", GroupCoordinator.SyncGroup.class);
        assertThat(sync.request().protocolType()).isNull();
        assertThat(sync.request().protocolName()).isNull();
        sync.replyTo().tell(new SyncResult(Errors.REBALANCE_IN_PROGRESS, null, null, new byte[0]));

        SyncGroupResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
        assertThat(data.assignment()).isEmpty();
    }

    private static SyncGroupRequest request(int version) {
        return new SyncGroupRequest.Builder(new SyncGroupRequestData()
                        .setGroupId("g")
                        .setMemberId("m-1")
                        .setGroupInstanceId("static-1")
                        .setGenerationId(4)
                        .setProtocolType("consumer")
                        .setProtocolName("range")
                        .setAssignments(List.of(
                                new SyncGroupRequestAssignment()
                                        .setMemberId("m-1")
                                        .setAssignment(new byte[] {1, 1}),
                                new SyncGroupRequestAssignment()
                                        .setMemberId("m-2")
                                        .setAssignment(new byte[] {2}))))
                .build((short) version);
    }
}
