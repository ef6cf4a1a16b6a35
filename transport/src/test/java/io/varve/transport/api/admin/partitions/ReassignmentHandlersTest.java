package io.varve.transport.api.admin.partitions;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.ReassignmentTarget;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** AlterPartitionReassignments and ListPartitionReassignments: requests as the controller gets them, replies as Kafka's. */
class ReassignmentHandlersTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @Test
    void targetsAndCancellationsGoToTheControllerAndEachPartitionIsAnswered() {
        AdminTestContext ctx =
                new AdminTestContext(KIT, AdminTestContext.image().build());
        AlterPartitionReassignmentsRequestData data =
                new AlterPartitionReassignmentsRequestData().setAllowReplicationFactorChange(false);
        data.topics()
                .add(new ReassignableTopic()
                        .setName("orders")
                        .setPartitions(List.of(
                                new ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(2, 3)),
                                new ReassignablePartition().setPartitionIndex(1).setReplicas(null))));

        CompletionStage<ApiResponse> answer = new AlterPartitionReassignmentsHandler()
                .handle(
                        ctx.context(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, (short) 1),
                        new AlterPartitionReassignmentsRequest.Builder(data).build((short) 1));
        Controller.AlterReassignments asked = ctx.controller.expectMessageClass(Controller.AlterReassignments.class);
        assertThat(asked.allowReplicationFactorChange()).isFalse();
        assertThat(asked.targets())
                .containsExactly(
                        new ReassignmentTarget("orders", 0, List.of(2, 3), false),
                        new ReassignmentTarget("orders", 1, List.of(), true));
        asked.replyTo()
                .tell(new Controller.ReassignmentResults(List.of(
                        new Controller.ReassignmentResult("orders", 0, Errors.NONE, null),
                        new Controller.ReassignmentResult(
                                "orders", 1, Errors.NO_REASSIGNMENT_IN_PROGRESS, "No ongoing reassignment"))));

        AlterPartitionReassignmentsResponseData response = body(answer);
        assertThat(response.errorCode()).isZero();
        assertThat(response.allowReplicationFactorChange()).isFalse();
        assertThat(response.responses().get(0).partitions())
                .extracting(p -> p.partitionIndex() + " " + Errors.forCode(p.errorCode()) + " " + p.errorMessage())
                .containsExactly("0 NONE null", "1 NO_REASSIGNMENT_IN_PROGRESS No ongoing reassignment");
    }

    @Test
    void ongoingMovesAreListedWithTheirAddingAndRemovingReplicas() {
        AdminTestContext ctx =
                new AdminTestContext(KIT, AdminTestContext.image().build());
        ListPartitionReassignmentsRequestData data = new ListPartitionReassignmentsRequestData()
                .setTopics(List.of(
                        new ListPartitionReassignmentsTopics().setName("orders").setPartitionIndexes(List.of(0, 1))));

        CompletionStage<ApiResponse> answer = new ListPartitionReassignmentsHandler()
                .handle(
                        ctx.context(ApiKeys.LIST_PARTITION_REASSIGNMENTS, (short) 0),
                        new ListPartitionReassignmentsRequest.Builder(data).build((short) 0));
        Controller.ListReassignments asked = ctx.controller.expectMessageClass(Controller.ListReassignments.class);
        assertThat(asked.partitions()).isEqualTo(Map.of("orders", List.of(0, 1)));
        asked.replyTo()
                .tell(new Controller.OngoingReassignments(List.of(
                        new Controller.OngoingReassignment("orders", 1, List.of(3, 2, 1), List.of(3), List.of(1)))));

        ListPartitionReassignmentsResponseData response = body(answer);
        assertThat(response.errorCode()).isZero();
        assertThat(response.topics()).hasSize(1);
        var moving = response.topics().get(0).partitions().get(0);
        assertThat(Arrays.asList(
                        moving.partitionIndex(), moving.replicas(), moving.addingReplicas(), moving.removingReplicas()))
                .containsExactly(1, List.of(3, 2, 1), List.of(3), List.of(1));
    }
}
