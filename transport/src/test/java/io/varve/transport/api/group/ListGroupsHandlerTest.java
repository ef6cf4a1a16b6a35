package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.group.GroupCoordinator;
import io.varve.group.classic.GroupDescription;
import io.varve.group.classic.GroupState;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ListGroupsHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final GroupTestContext groups = new GroupTestContext(testKit, GroupTestContext.MIXED_ASK_TIMEOUT);
    private final ListGroupsHandler handler = new ListGroupsHandler(groups);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void fourGroupIds() {
        groups.groupIds(CompletableFuture.completedFuture(List.of("stable", "empty", "deleted", "silent")));
    }

    @Test
    void listsEveryExistingGroupWithStateAndType() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request(5, List.of(), List.of()));
        answerDescriptions();

        ListGroupsResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.groups())
                .extracting(
                        ListedGroup::groupId,
                        ListedGroup::protocolType,
                        ListedGroup::groupState,
                        ListedGroup::groupType)
                .containsExactly(
                        tuple("stable", "consumer", "Stable", "classic"),
                        tuple("empty", "consumer", "Empty", "classic"));
    }

    @Test
    void filtersByStateAndTypeIgnoringCase() {
        CompletableFuture<ApiResponse> byState = groups.broker.call(handler, request(5, List.of("STABLE"), List.of()));
        answerDescriptions();
        CompletableFuture<ApiResponse> byType = groups.broker.call(handler, request(5, List.of(), List.of("Consumer")));
        answerDescriptions();
        CompletableFuture<ApiResponse> classic = groups.broker.call(handler, request(5, List.of(), List.of("CLASSIC")));
        answerDescriptions();

        assertThat(TestBroker.<ListGroupsResponseData>body(byState).groups())
                .extracting(ListedGroup::groupId)
                .containsExactly("stable");
        assertThat(TestBroker.<ListGroupsResponseData>body(byType).groups()).isEmpty();
        assertThat(TestBroker.<ListGroupsResponseData>body(classic).groups())
                .extracting(ListedGroup::groupId)
                .containsExactly("stable", "empty");
    }

    @Test
    void beforeV4NoStateIsAnswered() {
        CompletableFuture<ApiResponse> answer = groups.broker.call(handler, request(3, null, null));
        answerDescriptions();

        assertThat(TestBroker.<ListGroupsResponseData>body(answer).groups())
                .extracting(ListedGroup::groupId, ListedGroup::groupState, ListedGroup::groupType)
                .containsExactly(tuple("stable", "", ""), tuple("empty", "", ""));
    }

    @Test
    void failingToListGroupIdsIsCoordinatorNotAvailable() {
        groups.groupIds(CompletableFuture.failedFuture(new IllegalStateException("journal down")));

        ListGroupsResponseData data = TestBroker.body(groups.broker.call(handler, request(5, List.of(), List.of())));

        assertThat(data.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(data.groups()).isEmpty();
    }

    /** "stable" and "empty" exist, "deleted" does not, "silent" never answers. */
    private void answerDescriptions() {
        groups.expect("stable", GroupCoordinator.DescribeGroup.class)
                .replyTo()
                .tell(new GroupDescription(true, GroupState.STABLE, "consumer", "range", List.of()));
        groups.expect("empty", GroupCoordinator.DescribeGroup.class)
                .replyTo()
                .tell(new GroupDescription(true, GroupState.EMPTY, "consumer", "", List.of()));
        groups.expect("deleted", GroupCoordinator.DescribeGroup.class)
                .replyTo()
                .tell(new GroupDescription(false, GroupState.DEAD, "", "", List.of()));
        groups.expect("silent", GroupCoordinator.DescribeGroup.class);
    }

    private static ListGroupsRequest request(int version, List<String> states, List<String> types) {
        ListGroupsRequestData data = new ListGroupsRequestData();
        if (states != null) {
            data.setStatesFilter(states).setTypesFilter(types);
        }
        return new ListGroupsRequest.Builder(data).build((short) version);
    }
}
