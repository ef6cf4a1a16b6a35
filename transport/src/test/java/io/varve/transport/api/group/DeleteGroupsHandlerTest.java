package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DeleteGroupsHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final GroupTestContext groups = new GroupTestContext(testKit, GroupTestContext.MIXED_ASK_TIMEOUT);
    private final DeleteGroupsHandler handler = new DeleteGroupsHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void answersEachGroupWithItsCoordinatorsOutcome() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(
                handler,
                new DeleteGroupsRequest.Builder(new DeleteGroupsRequestData()
                                .setGroupsNames(List.of("empty", "busy", "unknown", "silent")))
                        .build((short) 2));
        groups.expect("empty", GroupCoordinator.DeleteGroup.class).replyTo().tell(new ErrorResult(Errors.NONE));
        groups.expect("busy", GroupCoordinator.DeleteGroup.class)
                .replyTo()
                .tell(new ErrorResult(Errors.NON_EMPTY_GROUP));
        groups.expect("unknown", GroupCoordinator.DeleteGroup.class)
                .replyTo()
                .tell(new ErrorResult(Errors.GROUP_ID_NOT_FOUND));
        groups.expect("silent", GroupCoordinator.DeleteGroup.class);

        DeleteGroupsResponseData data = TestBroker.body(answer);
        assertThat(data.results())
                .extracting(DeletableGroupResult::groupId, DeletableGroupResult::errorCode)
                .containsExactly(
                        tuple("empty", Errors.NONE.code()),
                        tuple("busy", Errors.NON_EMPTY_GROUP.code()),
                        tuple("unknown", Errors.GROUP_ID_NOT_FOUND.code()),
                        tuple("silent", Errors.COORDINATOR_NOT_AVAILABLE.code()));
    }
}
