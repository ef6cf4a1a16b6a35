package io.varve.transport.api.admin.cluster;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescribeLogDirsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @TempDir
    Path logDir;

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @Test
    void describesHostedPartitionsWithSizeLagAndSpace() throws Exception {
        AdminTestContext ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .topic("orders", Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA"), 3, 1, Map.of())
                        .build());
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition p1 = new TopicPartition("orders", 1);
        TestProbe<PartitionActor.Command> leader = KIT.createTestProbe(PartitionActor.Command.class);
        TestProbe<PartitionActor.Command> follower = KIT.createTestProbe(PartitionActor.Command.class);
        ctx.partitions.hosted.put(p0, leader.ref());
        ctx.partitions.hosted.put(p1, follower.ref());

        CompletionStage<ApiResponse> answer = new DescribeLogDirsHandler(logDir)
                .handle(
                        ctx.context(ApiKeys.DESCRIBE_LOG_DIRS, (short) 4),
                        new DescribeLogDirsRequest.Builder(new DescribeLogDirsRequestData().setTopics(null))
                                .build((short) 4));
        leader.expectMessageClass(PartitionActor.DescribeLog.class)
                .replyTo()
                .tell(new PartitionActor.LogDescription(p0, 4096, 0, 120, 100, 120, false));
        follower.expectMessageClass(PartitionActor.DescribeLog.class)
                .replyTo()
                .tell(new PartitionActor.LogDescription(p1, 1024, 0, 40, 55, 40, false));

        DescribeLogDirsResponseData response = body(answer);
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        DescribeLogDirsResult dir = response.results().get(0);
        assertThat(dir.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(dir.logDir()).isEqualTo(logDir.toString());
        assertThat(dir.totalBytes()).isEqualTo(Files.getFileStore(logDir).getTotalSpace());
        assertThat(dir.usableBytes()).isPositive();
        assertThat(dir.topics()).hasSize(1);
        List<DescribeLogDirsPartition> partitions = dir.topics().get(0).partitions();
        assertThat(partitions).hasSize(2);
        assertThat(partitions.get(0).partitionIndex()).isZero();
        assertThat(partitions.get(0).partitionSize()).isEqualTo(4096);
        assertThat(partitions.get(0).offsetLag()).isZero();
        assertThat(partitions.get(0).isFutureKey()).isFalse();
        assertThat(partitions.get(1).partitionIndex()).isEqualTo(1);
        assertThat(partitions.get(1).offsetLag()).isEqualTo(15);
    }

    @Test
    void describesOnlyTheRequestedPartitions() {
        AdminTestContext ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .topic("orders", Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA"), 2, 1, Map.of())
                        .build());
        TopicPartition p1 = new TopicPartition("orders", 1);
        TestProbe<PartitionActor.Command> other = KIT.createTestProbe(PartitionActor.Command.class);
        TestProbe<PartitionActor.Command> asked = KIT.createTestProbe(PartitionActor.Command.class);
        ctx.partitions.hosted.put(new TopicPartition("orders", 0), other.ref());
        ctx.partitions.hosted.put(p1, asked.ref());
        DescribeLogDirsRequestData data = new DescribeLogDirsRequestData();
        data.topics().add(new DescribableLogDirTopic().setTopic("orders").setPartitions(List.of(1)));

        CompletionStage<ApiResponse> answer = new DescribeLogDirsHandler(logDir)
                .handle(
                        ctx.context(ApiKeys.DESCRIBE_LOG_DIRS, (short) 1),
                        new DescribeLogDirsRequest.Builder(data).build((short) 1));
        asked.expectMessageClass(PartitionActor.DescribeLog.class)
                .replyTo()
                .tell(new PartitionActor.LogDescription(p1, 77, 0, 3, 3, 3, false));

        DescribeLogDirsResponseData response = body(answer);
        other.expectNoMessage();
        assertThat(response.results().get(0).topics().get(0).partitions())
                .extracting(DescribeLogDirsPartition::partitionIndex, DescribeLogDirsPartition::partitionSize)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 77L));
    }
}
