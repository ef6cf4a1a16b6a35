package io.varve.transport.api.admin.topics;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeleteTopicsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Uuid ORDERS_ID = Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA");
    private static final Uuid EVENTS_ID = Uuid.fromString("dzXyGQ0MRoOBuVwOHBCx0Q");
    private static final Uuid MISSING_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    private final DeleteTopicsHandler handler = new DeleteTopicsHandler();
    private AdminTestContext ctx;

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .topic("orders", ORDERS_ID, 2, 1, Map.of())
                        .topic("events", EVENTS_ID, 1, 1, Map.of())
                        .build());
    }

    private CompletionStage<ApiResponse> send(short version, DeleteTopicsRequestData data) {
        return handler.handle(
                ctx.context(ApiKeys.DELETE_TOPICS, version), new DeleteTopicsRequest.Builder(data).build(version));
    }

    private void answerDeleted(String... names) {
        Controller.DeleteTopics delete = ctx.controller.expectMessageClass(Controller.DeleteTopics.class);
        assertThat(delete.names()).containsExactly(names);
        assertThat(delete.topicIds()).isEmpty();
        List<Controller.TopicResult> results = new ArrayList<>();
        for (String name : names) {
            results.add(new Controller.TopicResult(name, null, Errors.NONE, null, 0, (short) 0, Map.of()));
        }
        delete.replyTo().tell(new Controller.TopicResults(results));
    }

    @Test
    void deletesByNameAndAnswersUnknownNames() {
        DeleteTopicsRequestData data = new DeleteTopicsRequestData()
                .setTopicNames(List.of("orders", "nope"))
                .setTimeoutMs(1000);
        CompletionStage<ApiResponse> answer = send((short) 5, data);
        answerDeleted("orders");

        List<DeletableTopicResult> results =
                ((DeleteTopicsResponseData) body(answer)).responses().stream().toList();
        assertThat(results).hasSize(2);
        assertThat(results.get(0).name()).isEqualTo("orders");
        assertThat(results.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(results.get(1).name()).isEqualTo("nope");
        assertThat(results.get(1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void deletesByTopicIdFromVersion6() {
        DeleteTopicsRequestData data = new DeleteTopicsRequestData()
                .setTopics(List.of(
                        new DeleteTopicState().setTopicId(EVENTS_ID),
                        new DeleteTopicState().setTopicId(MISSING_ID),
                        new DeleteTopicState().setName("orders"),
                        new DeleteTopicState().setName("orders"),
                        new DeleteTopicState().setName("events").setTopicId(EVENTS_ID)));
        CompletionStage<ApiResponse> answer = send((short) 6, data);
        answerDeleted("events", "orders");

        List<DeletableTopicResult> results =
                ((DeleteTopicsResponseData) body(answer)).responses().stream().toList();
        assertThat(results).hasSize(5);
        assertThat(results.get(0).name()).isEqualTo("events");
        assertThat(results.get(0).topicId()).isEqualTo(EVENTS_ID);
        assertThat(results.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(results.get(1).name()).isNull();
        assertThat(results.get(1).topicId()).isEqualTo(MISSING_ID);
        assertThat(results.get(1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
        assertThat(results.get(2).topicId()).isEqualTo(ORDERS_ID);
        assertThat(results.get(2).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(results.get(3).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(3).errorMessage()).isEqualTo("Duplicate topic name.");
        assertThat(results.get(4).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(4).errorMessage()).isEqualTo("You may not specify both topic name and topic id.");
    }

    @Test
    void answersWithoutTheControllerWhenNothingIsDeletable() {
        CompletionStage<ApiResponse> answer =
                send((short) 6, new DeleteTopicsRequestData().setTopics(List.of(new DeleteTopicState().setName("x"))));
        DeleteTopicsResponseData response = body(answer);
        ctx.controller.expectNoMessage(Duration.ofMillis(100));
        assertThat(response.responses().find("x").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }
}
