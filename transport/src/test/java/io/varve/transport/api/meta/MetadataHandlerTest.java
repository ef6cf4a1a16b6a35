package io.varve.transport.api.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.partition.PartitionActor;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class MetadataHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Uuid ORDERS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private static final Uuid PAYMENTS_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg");
    private final MetadataHandler handler = new MetadataHandler();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void describesKnownTopicWithPartitionsBrokersAndController() {
        TestBroker broker = brokerWithTopics(false);

        MetadataResponseData data = TestBroker.body(broker.call(handler, byName(List.of("orders"), true)));

        assertThat(data.clusterId()).isEqualTo(Images.CLUSTER_ID);
        assertThat(data.controllerId()).isEqualTo(1);
        assertThat(data.brokers())
                .extracting(b -> b.nodeId() + "@" + b.host() + ":" + b.port() + "/" + b.rack())
                .containsExactly("1@127.0.0.1:9092/null", "2@127.0.0.2:9093/rack-b");
        MetadataResponseTopic orders = data.topics().find("orders");
        assertThat(orders.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(orders.topicId()).isEqualTo(ORDERS_ID);
        assertThat(orders.isInternal()).isFalse();
        assertThat(orders.partitions()).hasSize(2);
        MetadataResponsePartition p1 = orders.partitions().get(1);
        assertThat(p1.partitionIndex()).isEqualTo(1);
        assertThat(p1.leaderId()).isEqualTo(1);
        assertThat(p1.leaderEpoch()).isEqualTo(5);
        assertThat(p1.replicaNodes()).containsExactly(1);
        assertThat(p1.isrNodes()).containsExactly(1);
        assertThat(p1.offlineReplicas()).isEmpty();
    }

    @Test
    void listsEveryTopicForAllTopicsRequest() {
        TestBroker broker = brokerWithTopics(false);

        MetadataResponseData data = TestBroker.body(
                broker.call(handler, MetadataRequest.Builder.allTopics().build((short) 12)));

        assertThat(data.topics())
                .extracting(MetadataResponseTopic::name)
                .containsExactlyInAnyOrder("orders", "payments");
    }

    @Test
    void answersUnknownAndInvalidTopicsWithErrors() {
        TestBroker broker = brokerWithTopics(true);

        MetadataResponseData data =
                TestBroker.body(broker.call(handler, byName(List.of("missing", "bad/name"), false)));

        assertThat(data.topics().find("missing").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(data.topics().find("bad/name").errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        broker.controller.expectNoMessage();
    }

    @Test
    void answersUnknownTopicIdWithUnknownTopicId() {
        TestBroker broker = brokerWithTopics(false);
        Uuid unknown = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAcw");

        MetadataResponseData data = TestBroker.body(broker.call(
                handler,
                MetadataRequest.Builder.forTopicIds(Set.of(unknown, PAYMENTS_ID))
                        .build((short) 12)));

        assertThat(data.topics()).hasSize(2);
        assertThat(data.topics())
                .filteredOn(t -> t.topicId().equals(unknown))
                .singleElement()
                .satisfies(t -> assertThat(t.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code()));
        assertThat(data.topics())
                .filteredOn(t -> t.topicId().equals(PAYMENTS_ID))
                .singleElement()
                .satisfies(t -> assertThat(t.name()).isEqualTo("payments"));
    }

    @Test
    void doesNotAutoCreateWhenDisabled() {
        TestBroker broker = brokerWithTopics(false);

        MetadataResponseData data = TestBroker.body(broker.call(handler, byName(List.of("new-topic"), true)));

        assertThat(data.topics().find("new-topic").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        broker.controller.expectNoMessage();
    }

    @Test
    void autoCreatesTopicAndAnswersOnceItIsHosted() {
        TestBroker broker = brokerWithTopics(true);
        Uuid newId = Uuid.fromString("AAAAAAAAAAAAAAAAAAAABA");

        CompletableFuture<?> answer = broker.call(handler, byName(List.of("orders", "new-topic"), true));

        Controller.CreateTopics create = broker.controller.expectMessageClass(Controller.CreateTopics.class);
        assertThat(create.topics())
                .containsExactly(new Controller.NewTopic("new-topic", -1, (short) -1, Map.of(), Map.of()));
        assertThat(create.validateOnly()).isFalse();
        broker.update(Images.withTopic(broker.image(), "new-topic", newId, 2, 1, 0));
        create.replyTo()
                .tell(new Controller.TopicResults(List.of(
                        new Controller.TopicResult("new-topic", newId, Errors.NONE, null, 2, (short) 1, Map.of()))));
        assertThat(answer).isNotDone();

        TestProbe<PartitionActor.Command> partition = testKit.createTestProbe();
        broker.partitions.host(new TopicPartition("new-topic", 0), partition.ref());
        broker.partitions.host(new TopicPartition("new-topic", 1), partition.ref());

        @SuppressWarnings("unchecked")
        MetadataResponseData data = TestBroker.body((CompletableFuture<io.varve.transport.api.ApiResponse>) answer);
        assertThat(data.topics()).extracting(MetadataResponseTopic::name).containsExactly("orders", "new-topic");
        MetadataResponseTopic created = data.topics().find("new-topic");
        assertThat(created.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(created.topicId()).isEqualTo(newId);
        assertThat(created.partitions())
                .extracting(MetadataResponsePartition::leaderId)
                .containsExactly(1, 1);
    }

    @Test
    void reportsControllerErrorOfAutoCreation() {
        TestBroker broker = brokerWithTopics(true);

        CompletableFuture<io.varve.transport.api.ApiResponse> answer =
                broker.call(handler, byName(List.of("new-topic"), true));
        Controller.CreateTopics create = broker.controller.expectMessageClass(Controller.CreateTopics.class);
        create.replyTo()
                .tell(new Controller.TopicResults(List.of(new Controller.TopicResult(
                        "new-topic",
                        Uuid.ZERO_UUID,
                        Errors.INVALID_REPLICATION_FACTOR,
                        "3 > 2 brokers",
                        -1,
                        (short) -1,
                        Map.of()))));

        MetadataResponseData data = TestBroker.body(answer);
        assertThat(data.topics().find("new-topic").errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
    }

    private static TestBroker brokerWithTopics(boolean autoCreate) {
        TestBroker broker = new TestBroker(testKit, autoCreate);
        broker.update(Images.withTopic(broker.image(), "orders", ORDERS_ID, 2, 1, 5));
        broker.update(Images.withTopic(broker.image(), "payments", PAYMENTS_ID, 1, 2, 0));
        return broker;
    }

    private static MetadataRequest byName(List<String> topics, boolean allowAutoCreate) {
        return new MetadataRequest.Builder(topics, allowAutoCreate).build((short) 12);
    }
}
