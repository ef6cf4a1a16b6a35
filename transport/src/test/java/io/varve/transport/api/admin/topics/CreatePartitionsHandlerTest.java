package io.varve.transport.api.admin.topics;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CreatePartitionsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Uuid ORDERS_ID = Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA");

    private final CreatePartitionsHandler handler = new CreatePartitionsHandler();
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
                        .build());
    }

    private CompletionStage<ApiResponse> send(boolean validateOnly, CreatePartitionsTopic... topics) {
        CreatePartitionsRequestData data = new CreatePartitionsRequestData().setValidateOnly(validateOnly);
        for (CreatePartitionsTopic topic : topics) {
            data.topics().add(topic);
        }
        return handler.handle(
                ctx.context(ApiKeys.CREATE_PARTITIONS, (short) 3),
                new CreatePartitionsRequest.Builder(data).build((short) 3));
    }

    private static Controller.TopicResult ok(String name, int count) {
        return new Controller.TopicResult(name, ORDERS_ID, Errors.NONE, null, count, (short) 1, Map.of());
    }

    @Test
    void raisesTheCountAndWaitsForTheNewPartitions() {
        CompletableFuture<Boolean> hosted = new CompletableFuture<>();
        ctx.partitions.hostedAnswer = hosted;
        CreatePartitionsTopic orders =
                new CreatePartitionsTopic().setName("orders").setCount(4);
        orders.setAssignments(List.of(
                new CreatePartitionsAssignment().setBrokerIds(List.of(1)),
                new CreatePartitionsAssignment().setBrokerIds(List.of(2))));
        CompletionStage<ApiResponse> answer = send(false, orders);

        Controller.CreatePartitions increase = ctx.controller.expectMessageClass(Controller.CreatePartitions.class);
        assertThat(increase.validateOnly()).isFalse();
        assertThat(increase.increases())
                .containsExactly(new Controller.PartitionsIncrease("orders", 4, List.of(List.of(1), List.of(2))));
        increase.replyTo().tell(new Controller.TopicResults(List.of(ok("orders", 4))));

        assertThat(ctx.partitions.nextAwaited()).containsExactly(new TopicPartition("orders", 2));
        assertThat(answer.toCompletableFuture()).isNotDone();
        hosted.complete(true);
        CreatePartitionsTopicResult result =
                ((CreatePartitionsResponseData) body(answer)).results().get(0);
        assertThat(result.name()).isEqualTo("orders");
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.errorMessage()).isNull();
    }

    @Test
    void passesControllerErrorsAndRefusesDuplicates() {
        CompletionStage<ApiResponse> answer = send(
                false,
                new CreatePartitionsTopic().setName("orders").setCount(1),
                new CreatePartitionsTopic().setName("twice").setCount(3),
                new CreatePartitionsTopic().setName("twice").setCount(4));

        Controller.CreatePartitions increase = ctx.controller.expectMessageClass(Controller.CreatePartitions.class);
        assertThat(increase.increases())
                .extracting(Controller.PartitionsIncrease::topic)
                .containsExactly("orders");
        increase.replyTo()
                .tell(new Controller.TopicResults(List.of(new Controller.TopicResult(
                        "orders",
                        ORDERS_ID,
                        Errors.INVALID_PARTITIONS,
                        "The topic orders currently has 2 partition(s); 1 would not be an increase.",
                        2,
                        (short) 1,
                        Map.of()))));

        List<CreatePartitionsTopicResult> results = ((CreatePartitionsResponseData) body(answer)).results();
        assertThat(results).hasSize(2);
        assertThat(results.get(0).name()).isEqualTo("twice");
        assertThat(results.get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(0).errorMessage()).isEqualTo("Duplicate topic name.");
        assertThat(results.get(1).errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
        assertThat(results.get(1).errorMessage())
                .isEqualTo("The topic orders currently has 2 partition(s); 1 would not be an increase.");
        assertThat(ctx.partitions.awaited).isEmpty();
    }

    /** Clients send null for "no assignments"; an empty list is an assignment of nothing (Kafka). */
    @Test
    void refusesAnEmptyAssignmentListForNewPartitions() {
        CompletionStage<ApiResponse> answer = send(
                false, new CreatePartitionsTopic().setName("orders").setCount(5).setAssignments(new ArrayList<>()));

        CreatePartitionsTopicResult result =
                ((CreatePartitionsResponseData) body(answer)).results().get(0);
        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(result.errorMessage())
                .isEqualTo("Attempted to add 3 additional partition(s), but only 0 assignment(s) were specified.");
        ctx.controller.expectNoMessage();
    }

    @Test
    void validateOnlyDoesNotWait() {
        ctx.partitions.hostedAnswer = new CompletableFuture<>();
        CompletionStage<ApiResponse> answer = send(
                true, new CreatePartitionsTopic().setName("orders").setCount(3).setAssignments(null));
        Controller.CreatePartitions increase = ctx.controller.expectMessageClass(Controller.CreatePartitions.class);
        assertThat(increase.validateOnly()).isTrue();
        increase.replyTo().tell(new Controller.TopicResults(List.of(ok("orders", 3))));
        assertThat(((CreatePartitionsResponseData) body(answer))
                        .results()
                        .get(0)
                        .errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(ctx.partitions.awaited).isEmpty();
    }
}
