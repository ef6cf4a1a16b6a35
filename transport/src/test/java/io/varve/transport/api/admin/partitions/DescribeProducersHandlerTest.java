package io.varve.transport.api.admin.partitions;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DescribeProducersHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    private static CompletionStage<ApiResponse> send(AdminTestContext ctx, String topic, Integer... partitions) {
        DescribeProducersRequestData data = new DescribeProducersRequestData();
        data.topics().add(new TopicRequest().setName(topic).setPartitionIndexes(List.of(partitions)));
        return new DescribeProducersHandler()
                .handle(
                        ctx.context(ApiKeys.DESCRIBE_PRODUCERS, (short) 0),
                        new DescribeProducersRequest.Builder(data).build((short) 0));
    }

    @Test
    void describesTheActiveProducersOfEachPartition() {
        AdminTestContext ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .topic("orders", Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA"), 2, 1, Map.of())
                        .build());
        TopicPartition p0 = new TopicPartition("orders", 0);
        TestProbe<PartitionActor.Command> leader = KIT.createTestProbe(PartitionActor.Command.class);
        ctx.partitions.hosted.put(p0, leader.ref());

        CompletionStage<ApiResponse> answer = send(ctx, "orders", 0, 1, 5);
        leader.expectMessageClass(PartitionActor.DescribeProducers.class)
                .replyTo()
                .tell(new PartitionActor.ProducersResponse(
                        p0, Errors.NONE, List.of(new PartitionActor.ProducerState(1000L, 2, 41, 1_700_000L, -1, 17L))));

        DescribeProducersResponseData response = body(answer);
        List<PartitionResponse> partitions = response.topics().get(0).partitions();
        assertThat(partitions.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partitions.get(0).errorMessage()).isNull();
        assertThat(partitions.get(0).activeProducers())
                .containsExactly(new ProducerState()
                        .setProducerId(1000L)
                        .setProducerEpoch(2)
                        .setLastSequence(41)
                        .setLastTimestamp(1_700_000L)
                        .setCoordinatorEpoch(-1)
                        .setCurrentTxnStartOffset(17L));
        assertThat(partitions.get(1).errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(partitions.get(1).errorMessage()).isEqualTo("Partition orders-1 is not hosted on node 1 yet");
        assertThat(partitions.get(2).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(partitions.get(2).errorMessage()).isEqualTo("Partition orders-5 does not exist");
    }

    @Test
    void answersRequestTimedOutWhenThePartitionDoesNotAnswer() {
        AdminTestContext ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .topic("orders", Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA"), 1, 1, Map.of())
                        .build(),
                Map.of(),
                Duration.ofMillis(200));
        TestProbe<PartitionActor.Command> silent = KIT.createTestProbe(PartitionActor.Command.class);
        ctx.partitions.hosted.put(new TopicPartition("orders", 0), silent.ref());

        CompletionStage<ApiResponse> answer = send(ctx, "orders", 0);
        silent.expectMessageClass(PartitionActor.DescribeProducers.class);
        PartitionResponse result = ((DescribeProducersResponseData) body(answer))
                .topics()
                .get(0)
                .partitions()
                .get(0);
        assertThat(result.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
        assertThat(result.errorMessage()).isEqualTo("partition orders-0 did not answer within 200 ms");
    }
}
