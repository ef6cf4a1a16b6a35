package io.varve.transport.api.admin.topics;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.AuthorizedOperations;
import io.varve.transport.api.admin.AdminTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DescribeTopicPartitionsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Uuid A_ID = Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA");
    private static final Uuid B_ID = Uuid.fromString("dzXyGQ0MRoOBuVwOHBCx0Q");

    private final DescribeTopicPartitionsHandler handler = new DescribeTopicPartitionsHandler();
    private AdminTestContext ctx;

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        TopicImage b = new TopicImage(
                "b",
                B_ID,
                Map.of(
                        0, new PartitionRegistration(0, List.of(1, 2), List.of(1), 1, 7, 9),
                        1, new PartitionRegistration(1, List.of(2, 1), List.of(2, 1), -1, 4, 4)),
                Map.of());
        ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .topic("c", A_ID, 3, 1, Map.of())
                        .topic(b)
                        .build());
    }

    private DescribeTopicPartitionsResponseData send(DescribeTopicPartitionsRequestData data) {
        CompletionStage<ApiResponse> answer = handler.handle(
                ctx.context(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, (short) 0),
                new DescribeTopicPartitionsRequest.Builder(data).build((short) 0));
        return body(answer);
    }

    @Test
    void describesAllTopicsSortedByNameWithTheirPartitions() {
        DescribeTopicPartitionsResponseData response = send(new DescribeTopicPartitionsRequestData());

        assertThat(response.topics())
                .extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("b", "c");
        DescribeTopicPartitionsResponseTopic b = response.topics().find("b");
        assertThat(b.topicId()).isEqualTo(B_ID);
        assertThat(b.isInternal()).isFalse();
        // Kafka reports every topic's operations, all of them without an authorizer
        assertThat(b.topicAuthorizedOperations()).isEqualTo(AuthorizedOperations.TOPIC);
        DescribeTopicPartitionsResponsePartition p0 = b.partitions().get(0);
        assertThat(p0.partitionIndex()).isZero();
        assertThat(p0.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(p0.leaderId()).isEqualTo(1);
        assertThat(p0.leaderEpoch()).isEqualTo(7);
        assertThat(p0.replicaNodes()).containsExactly(1, 2);
        assertThat(p0.isrNodes()).containsExactly(1);
        assertThat(p0.eligibleLeaderReplicas()).isEmpty();
        assertThat(p0.lastKnownElr()).isEmpty();
        // only broker 1 is registered in this image: broker 2's replica is offline, as KRaft reports it
        assertThat(p0.offlineReplicas()).containsExactly(2);
        assertThat(b.partitions().get(1).errorCode()).isEqualTo(Errors.LEADER_NOT_AVAILABLE.code());
        assertThat(response.topics().find("c").partitions()).hasSize(3);
        assertThat(response.nextCursor()).isNull();
    }

    @Test
    void paginatesWithTheLimitAndResumesFromTheCursor() {
        DescribeTopicPartitionsResponseData first =
                send(new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(3));
        assertThat(first.topics())
                .extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("b", "c");
        assertThat(first.topics().find("c").partitions())
                .extracting(DescribeTopicPartitionsResponsePartition::partitionIndex)
                .containsExactly(0);
        assertThat(first.nextCursor().topicName()).isEqualTo("c");
        assertThat(first.nextCursor().partitionIndex()).isEqualTo(1);

        DescribeTopicPartitionsResponseData second = send(new DescribeTopicPartitionsRequestData()
                .setResponsePartitionLimit(3)
                .setCursor(new Cursor().setTopicName("c").setPartitionIndex(1)));
        assertThat(second.topics())
                .extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("c");
        assertThat(second.topics().find("c").partitions())
                .extracting(DescribeTopicPartitionsResponsePartition::partitionIndex)
                .containsExactly(1, 2);
        assertThat(second.nextCursor()).isNull();
    }

    @Test
    void cursorPointsAtTheNextTopicWhenTheLimitEndsOnATopic() {
        DescribeTopicPartitionsResponseData response =
                send(new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(2));
        assertThat(response.topics())
                .extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("b");
        assertThat(response.nextCursor().topicName()).isEqualTo("c");
        assertThat(response.nextCursor().partitionIndex()).isZero();
    }

    @Test
    void answersUnknownTopicsAndRefusesACursorOutsideTheRequestedTopics() {
        DescribeTopicPartitionsRequestData data = new DescribeTopicPartitionsRequestData();
        data.topics().add(new TopicRequest().setName("zz"));
        data.topics().add(new TopicRequest().setName("b"));
        DescribeTopicPartitionsResponseData response = send(data);
        assertThat(response.topics())
                .extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("b", "zz");
        DescribeTopicPartitionsResponseTopic unknown = response.topics().find("zz");
        assertThat(unknown.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(unknown.topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThat(unknown.partitions()).isEmpty();

        DescribeTopicPartitionsResponseData refused =
                send(data.setCursor(new Cursor().setTopicName("c").setPartitionIndex(0)));
        assertThat(refused.topics())
                .extracting(DescribeTopicPartitionsResponseTopic::errorCode)
                .containsOnly(Errors.INVALID_REQUEST.code());
    }
}
