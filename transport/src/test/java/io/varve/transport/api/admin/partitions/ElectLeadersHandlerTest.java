package io.varve.transport.api.admin.partitions;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** ElectLeaders: the request as the controller gets it, and the controller's results as Kafka's response. */
class ElectLeadersHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    private static CompletionStage<ApiResponse> send(
            AdminTestContext ctx, short version, ElectionType type, List<TopicPartition> partitions) {
        return new ElectLeadersHandler()
                .handle(
                        ctx.context(ApiKeys.ELECT_LEADERS, version),
                        new ElectLeadersRequest.Builder(type, partitions, 30_000).build(version));
    }

    @Test
    void namedPartitionsGoToTheControllerOnceAndEachResultIsAnswered() {
        AdminTestContext ctx =
                new AdminTestContext(KIT, AdminTestContext.image().build());
        TopicPartition zero = new TopicPartition("orders", 0);
        TopicPartition one = new TopicPartition("orders", 1);

        CompletionStage<ApiResponse> answer = send(ctx, (short) 2, ElectionType.UNCLEAN, List.of(zero, one, zero));
        Controller.ElectLeaders asked = ctx.controller.expectMessageClass(Controller.ElectLeaders.class);
        assertThat(asked.type()).isEqualTo(Controller.ElectionType.UNCLEAN);
        assertThat(asked.partitions()).isEqualTo(Map.of("orders", List.of(0, 1)));
        asked.replyTo()
                .tell(new Controller.ElectionResults(List.of(
                        new Controller.ElectionResult("orders", 0, Errors.NONE, null),
                        new Controller.ElectionResult(
                                "orders", 1, Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "no replica live"))));

        ElectLeadersResponseData response = body(answer);
        assertThat(response.errorCode()).isZero();
        assertThat(response.replicaElectionResults()).hasSize(1);
        assertThat(response.replicaElectionResults().get(0).partitionResult())
                .extracting(p -> p.partitionId() + " " + Errors.forCode(p.errorCode()) + " " + p.errorMessage())
                .containsExactly("0 NONE null", "1 ELIGIBLE_LEADERS_NOT_AVAILABLE no replica live");
    }

    @Test
    void versionZeroIsAPreferredElectionAndNullMeansEveryPartition() {
        AdminTestContext ctx =
                new AdminTestContext(KIT, AdminTestContext.image().build());

        CompletionStage<ApiResponse> answer = send(ctx, (short) 0, ElectionType.PREFERRED, null);
        Controller.ElectLeaders asked = ctx.controller.expectMessageClass(Controller.ElectLeaders.class);
        assertThat(asked.type()).isEqualTo(Controller.ElectionType.PREFERRED);
        assertThat(asked.partitions()).isNull();
        asked.replyTo().tell(new Controller.ElectionResults(List.of()));

        ElectLeadersResponseData response = body(answer);
        assertThat(response.replicaElectionResults()).isEmpty();
    }
}
