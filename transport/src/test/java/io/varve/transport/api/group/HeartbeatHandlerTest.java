package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class HeartbeatHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final GroupTestContext groups = new GroupTestContext(testKit);
    private final GroupTestContext unanswered = new GroupTestContext(testKit, GroupTestContext.SHORT_ASK_TIMEOUT);
    private final HeartbeatHandler handler = new HeartbeatHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void forwardsTheMemberAndAnswersTheCoordinatorsError() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request("static-1"));

        GroupCoordinator.Heartbeat heartbeat = groups.expect("g", GroupCoordinator.Heartbeat.class);
        assertThat(heartbeat.memberId()).isEqualTo("m-1");
        assertThat(heartbeat.groupInstanceId()).isEqualTo("static-1");
        assertThat(heartbeat.generationId()).isEqualTo(7);
        heartbeat.replyTo().tell(new ErrorResult(Errors.REBALANCE_IN_PROGRESS));

        HeartbeatResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.REBALANCE_IN_PROGRESS.code());
    }

    @Test
    void anUnansweredHeartbeatIsCoordinatorNotAvailable() {
        CompletableFuture<ApiResponse> answer = unanswered.broker.call(new HeartbeatHandler(unanswered), request(null));
        unanswered.expect("g", GroupCoordinator.Heartbeat.class);

        HeartbeatResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
    }

    private static HeartbeatRequest request(String groupInstanceId) {
        return new HeartbeatRequest.Builder(new HeartbeatRequestData()
                        .setGroupId("g")
                        .setMemberId("m-1")
                        .setGroupInstanceId(groupInstanceId)
                        .setGenerationId(7))
                .build((short) 4);
    }
}
