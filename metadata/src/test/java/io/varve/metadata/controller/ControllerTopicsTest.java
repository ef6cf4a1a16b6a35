package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.BROKER_2;
import static io.varve.metadata.TestImages.incarnation;
import static io.varve.metadata.controller.ControllerTestKit.topic;
import static io.varve.metadata.controller.ControllerTestKit.topicWithAssignments;
import static io.varve.metadata.controller.ControllerTestKit.topicWithConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller;
import io.varve.metadata.Controller.CreateTopics;
import io.varve.metadata.Controller.DeleteTopics;
import io.varve.metadata.Controller.NewTopic;
import io.varve.metadata.Controller.TopicResult;
import io.varve.metadata.Controller.TopicResults;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import io.varve.metadata.controller.ControllerEvent.TopicDeleted;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** CreateTopics and DeleteTopics: given events, a command, the expected events and reply. */
@ExtendWith(LogCapturingExtension.class)
class ControllerTopicsTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ControllerTestKit.config());
    private static final BrokerInfo BROKER_3 = new BrokerInfo(3, "127.0.0.3", 9092, null);

    private EventSourcedBehaviorTestKit<Controller.Command, ControllerEvent, ControllerState> controller;

    @BeforeEach
    void start() {
        controller = ControllerTestKit.create(TEST_KIT.system());
        controller.clear();
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void createsTopicWithDefaultsOnTheRegisteredBroker() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        var result = create(false, topic("orders", -1, -1));

        TopicResult reply = result.reply().results().get(0);
        assertThat(reply.topicId()).isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(reply)
                .isEqualTo(new TopicResult("orders", reply.topicId(), Errors.NONE, null, 1, (short) 1, Map.of()));
        assertThat(result.events())
                .containsExactly(new TopicCreated("orders", reply.topicId(), Map.of(0, registration(0, 1)), Map.of()));
        assertThat(result.state().image().offset()).isEqualTo(2L);
        assertThat(result.state().image().topic(reply.topicId()).orElseThrow().name())
                .isEqualTo("orders");
    }

    @Test
    void placesReplicasRoundRobinOverSortedBrokerIds() {
        controller.initialize(
                new BrokerRegistered(BROKER_3, incarnation(BROKER_3.nodeId())),
                new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())),
                new BrokerRegistered(BROKER_2, incarnation(BROKER_2.nodeId())));

        var result = create(false, topic("orders", 4, 2));

        TopicCreated created = (TopicCreated) result.events().get(0);
        assertThat(created.partitions())
                .isEqualTo(Map.of(
                        0, registration(0, 1, 2),
                        1, registration(1, 2, 3),
                        2, registration(2, 3, 1),
                        3, registration(3, 1, 2)));
        assertThat(result.reply().results().get(0).replicationFactor()).isEqualTo((short) 2);
    }

    @Test
    void keepsConfigsAndManualAssignment() {
        controller.initialize(
                new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())),
                new BrokerRegistered(BROKER_2, incarnation(BROKER_2.nodeId())));

        var result = create(
                false,
                new NewTopic(
                        "orders",
                        -1,
                        (short) -1,
                        Map.of(0, List.of(2, 1), 1, List.of(1, 2)),
                        Map.of("retention.ms", "1000")));

        TopicCreated created = (TopicCreated) result.events().get(0);
        assertThat(created.partitions()).isEqualTo(Map.of(0, registration(0, 2, 1), 1, registration(1, 1, 2)));
        assertThat(created.configs()).isEqualTo(Map.of("retention.ms", "1000"));
        assertThat(result.reply().results().get(0).numPartitions()).isEqualTo(2);
    }

    @Test
    void rejectsIllegalTopicName() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        var result = create(false, topic("bad/name", 1, 1));

        assertRejected(result, Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(result.reply().results().get(0).message()).contains("bad/name");
    }

    @Test
    void rejectsExistingTopic() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));
        create(false, topic("orders", 1, 1));

        var result = create(false, topic("orders", 1, 1));

        assertRejected(result, Errors.TOPIC_ALREADY_EXISTS);
        assertThat(result.reply().results().get(0).message()).isEqualTo("Topic 'orders' already exists.");
    }

    @Test
    void rejectsNameCollidingOnDotAndUnderscore() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));
        create(false, topic("a.b", 1, 1));

        var result = create(false, topic("a_b", 1, 1));

        assertRejected(result, Errors.INVALID_TOPIC_EXCEPTION);
        assertThat(result.reply().results().get(0).message())
                .isEqualTo("Topic 'a_b' collides with existing topic 'a.b'.");
    }

    @Test
    void rejectsNonPositivePartitionCount() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        var result = create(false, topic("orders", 0, 1));

        assertRejected(result, Errors.INVALID_PARTITIONS);
        assertThat(result.reply().results().get(0).message())
                .isEqualTo("Number of partitions must be positive, or -1 for the default, but was 0.");
    }

    @Test
    void rejectsNonPositiveReplicationFactor() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        assertRejected(create(false, topic("orders", 1, 0)), Errors.INVALID_REPLICATION_FACTOR);
    }

    @Test
    void rejectsReplicationFactorAboveRegisteredBrokers() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        var result = create(false, topic("orders", 1, 3));

        assertRejected(result, Errors.INVALID_REPLICATION_FACTOR);
        assertThat(result.reply().results().get(0).message())
                .isEqualTo("Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be "
                        + "reached because only 1 broker(s) are registered.");
    }

    @Test
    void rejectsCountsTogetherWithAssignments() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        assertRejected(
                create(false, topicWithAssignments("orders", 1, -1, Map.of(0, List.of(1)))), Errors.INVALID_REQUEST);
        assertRejected(
                create(false, topicWithAssignments("orders", -1, 1, Map.of(0, List.of(1)))), Errors.INVALID_REQUEST);
    }

    @Test
    void rejectsAssignmentToUnregisteredBroker() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        var result = create(false, topicWithAssignments("orders", -1, -1, Map.of(0, List.of(1, 7))));

        assertRejected(result, Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(result.reply().results().get(0).message())
                .isEqualTo("The manual partition assignment of partition 0 includes broker 7, but no such broker is "
                        + "registered (registered: [1]).");
    }

    @Test
    void rejectsInvalidConfigWithTheValidatorsMessage() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        var result = create(false, topicWithConfigs("orders", Map.of("retention.ms", "soon")));

        assertRejected(result, Errors.INVALID_CONFIG);
        assertThat(result.reply().results().get(0).message())
                .isEqualTo("Invalid value soon for configuration retention.ms: Not a number of type LONG");
    }

    @Test
    void validateOnlyAnswersWithoutPersisting() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        var result = create(true, topic("orders", 2, 1));

        assertThat(result.events()).isEmpty();
        assertThat(result.reply().results())
                .containsExactly(new TopicResult("orders", Uuid.ZERO_UUID, Errors.NONE, null, 2, (short) 1, Map.of()));
        assertThat(result.state().image().topicsByName()).isEmpty();
    }

    @Test
    void decidesEachTopicOfARequestOnItsOwn() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));

        var result = create(false, topic("good", 1, 1), topic("dup", 1, 1), topic("bad", 1, 5), topic("dup", 1, 1));

        assertThat(result.reply().results())
                .extracting(TopicResult::name, TopicResult::error)
                .containsExactly(
                        tuple("good", Errors.NONE),
                        tuple("dup", Errors.INVALID_REQUEST),
                        tuple("bad", Errors.INVALID_REPLICATION_FACTOR),
                        tuple("dup", Errors.INVALID_REQUEST));
        assertThat(result.events()).hasSize(1);
    }

    @Test
    void deletesTopicsByNameAndById() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));
        Uuid ordersId =
                create(false, topic("orders", 2, 1)).reply().results().get(0).topicId();
        Uuid paymentsId =
                create(false, topic("payments", 1, 1)).reply().results().get(0).topicId();

        CommandResultWithReply<Controller.Command, ControllerEvent, ControllerState, TopicResults> result =
                controller.runCommand(replyTo -> new DeleteTopics(List.of("orders"), List.of(paymentsId), replyTo));

        assertThat(result.events())
                .containsExactly(new TopicDeleted("orders", ordersId), new TopicDeleted("payments", paymentsId));
        assertThat(result.reply().results())
                .containsExactly(
                        new TopicResult("orders", ordersId, Errors.NONE, null, 2, (short) 1, Map.of()),
                        new TopicResult("payments", paymentsId, Errors.NONE, null, 1, (short) 1, Map.of()));
        assertThat(result.state().image().topicsByName()).isEmpty();
        assertThat(result.state().image().topicNamesById()).isEmpty();
    }

    @Test
    void deletingUnknownTopicsFailsPerTopic() {
        Uuid unknownId = new Uuid(5L, 6L);

        CommandResultWithReply<Controller.Command, ControllerEvent, ControllerState, TopicResults> result =
                controller.runCommand(replyTo -> new DeleteTopics(List.of("nope"), List.of(unknownId), replyTo));

        assertThat(result.events()).isEmpty();
        assertThat(result.reply().results())
                .containsExactly(
                        new TopicResult(
                                "nope",
                                Uuid.ZERO_UUID,
                                Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                "Topic 'nope' does not exist.",
                                -1,
                                (short) -1,
                                Map.of()),
                        new TopicResult(
                                null,
                                unknownId,
                                Errors.UNKNOWN_TOPIC_ID,
                                "Topic id " + unknownId + " does not exist.",
                                -1,
                                (short) -1,
                                Map.of()));
    }

    private CommandResultWithReply<Controller.Command, ControllerEvent, ControllerState, TopicResults> create(
            boolean validateOnly, NewTopic... topics) {
        return controller.runCommand(replyTo -> new CreateTopics(List.of(topics), validateOnly, replyTo));
    }

    private static void assertRejected(
            CommandResultWithReply<Controller.Command, ControllerEvent, ControllerState, TopicResults> result,
            Errors error) {
        assertThat(result.events()).isEmpty();
        TopicResult reply = result.reply().results().get(0);
        assertThat(reply.error()).isEqualTo(error);
        assertThat(reply.topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThat(reply.numPartitions()).isEqualTo(-1);
    }

    static PartitionRegistration registration(int partition, Integer... replicas) {
        return new PartitionRegistration(partition, List.of(replicas), List.of(replicas), replicas[0], 0, 0);
    }
}
