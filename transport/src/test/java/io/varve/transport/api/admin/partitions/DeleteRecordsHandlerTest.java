package io.varve.transport.api.admin.partitions;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DeleteRecordsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @Test
    void movesLogStartOffsetsAndAnswersUnreachablePartitions() {
        AdminTestContext ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .broker(2, "127.0.0.1", 9093, null)
                        .topic("orders", Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA"), 3, 1, Map.of())
                        .topic("remote", Uuid.fromString("dzXyGQ0MRoOBuVwOHBCx0Q"), 1, 2, Map.of())
                        .build());
        TopicPartition p0 = new TopicPartition("orders", 0);
        TestProbe<PartitionActor.Command> leader = KIT.createTestProbe(PartitionActor.Command.class);
        TestProbe<PartitionActor.Command> rejecting = KIT.createTestProbe(PartitionActor.Command.class);
        ctx.partitions.hosted.put(p0, leader.ref());
        ctx.partitions.hosted.put(new TopicPartition("orders", 1), rejecting.ref());

        DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(1000);
        data.topics()
                .add(new DeleteRecordsTopic()
                        .setName("orders")
                        .setPartitions(List.of(
                                new DeleteRecordsPartition()
                                        .setPartitionIndex(0)
                                        .setOffset(42),
                                new DeleteRecordsPartition()
                                        .setPartitionIndex(1)
                                        .setOffset(999),
                                new DeleteRecordsPartition()
                                        .setPartitionIndex(2)
                                        .setOffset(1),
                                new DeleteRecordsPartition()
                                        .setPartitionIndex(7)
                                        .setOffset(1))));
        data.topics()
                .add(new DeleteRecordsTopic()
                        .setName("remote")
                        .setPartitions(List.of(new DeleteRecordsPartition()
                                .setPartitionIndex(0)
                                .setOffset(1))));
        CompletionStage<ApiResponse> answer = new DeleteRecordsHandler()
                .handle(
                        ctx.context(ApiKeys.DELETE_RECORDS, (short) 2),
                        new DeleteRecordsRequest.Builder(data).build((short) 2));

        PartitionActor.DeleteRecords delete = leader.expectMessageClass(PartitionActor.DeleteRecords.class);
        assertThat(delete.offset()).isEqualTo(42);
        delete.replyTo().tell(new PartitionActor.DeleteRecordsResponse(p0, Errors.NONE, 42));
        rejecting
                .expectMessageClass(PartitionActor.DeleteRecords.class)
                .replyTo()
                .tell(new PartitionActor.DeleteRecordsResponse(
                        new TopicPartition("orders", 1), Errors.OFFSET_OUT_OF_RANGE, 100));

        DeleteRecordsResponseData response = body(answer);
        List<DeleteRecordsPartitionResult> orders =
                response.topics().find("orders").partitions().stream().toList();
        assertThat(orders.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(orders.get(0).lowWatermark()).isEqualTo(42);
        assertThat(orders.get(1).errorCode()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
        assertThat(orders.get(1).lowWatermark()).isEqualTo(-1);
        assertThat(orders.get(2).errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
        assertThat(orders.get(2).lowWatermark()).isEqualTo(-1);
        assertThat(orders.get(3).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        DeleteRecordsPartitionResult remote =
                response.topics().find("remote").partitions().find(0);
        assertThat(remote.errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
    }
}
