package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.BROKER_2;
import static io.varve.metadata.TestImages.incarnation;
import static io.varve.metadata.controller.ControllerTestKit.topic;
import static io.varve.metadata.controller.ControllerTopicsTest.registration;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AllocateProducerIds;
import io.varve.metadata.Controller.CreatePartitions;
import io.varve.metadata.Controller.CreateTopics;
import io.varve.metadata.Controller.GetImage;
import io.varve.metadata.Controller.ImageChunk;
import io.varve.metadata.Controller.LiveMembers;
import io.varve.metadata.Controller.MetadataDelta;
import io.varve.metadata.Controller.MetadataPush;
import io.varve.metadata.Controller.OperationResult;
import io.varve.metadata.Controller.PartitionsIncrease;
import io.varve.metadata.Controller.ProducerIdBlock;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.Registration;
import io.varve.metadata.Controller.RegistrationStatus;
import io.varve.metadata.Controller.ReplaceConfigs;
import io.varve.metadata.Controller.TopicResult;
import io.varve.metadata.Controller.TopicResults;
import io.varve.metadata.controller.ControllerEvent.BrokerConfigsReplaced;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.PartitionsCreated;
import io.varve.metadata.controller.ControllerEvent.ProducerIdsAllocated;
import io.varve.metadata.controller.ControllerEvent.TopicConfigsReplaced;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** CreatePartitions, ReplaceConfigs, producer-id blocks, registration, and recovery. */
@ExtendWith(LogCapturingExtension.class)
class ControllerOperationsTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ControllerTestKit.config());

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
    void addsPartitionsRoundRobinAfterTheExistingOnes() {
        controller.initialize(
                new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())),
                new BrokerRegistered(BROKER_2, incarnation(BROKER_2.nodeId())));
        Uuid id = createTopic("orders", 2, 2);

        var result = increase(new PartitionsIncrease("orders", 4, List.of()));

        assertThat(result.events())
                .containsExactly(
                        new PartitionsCreated("orders", Map.of(2, registration(2, 1, 2), 3, registration(3, 2, 1))));
        assertThat(result.reply().results())
                .containsExactly(new TopicResult("orders", id, Errors.NONE, null, 4, (short) 2, Map.of()));
        assertThat(result.state().image().topic("orders").orElseThrow().partitions())
                .hasSize(4);
    }

    @Test
    void addsManuallyAssignedPartitions() {
        controller.initialize(
                new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())),
                new BrokerRegistered(BROKER_2, incarnation(BROKER_2.nodeId())));
        createTopic("orders", 1, 1);

        var result = increase(new PartitionsIncrease("orders", 3, List.of(List.of(2), List.of(1))));

        assertThat(result.events())
                .containsExactly(new PartitionsCreated("orders", Map.of(1, registration(1, 2), 2, registration(2, 1))));
    }

    @Test
    void rejectsPartitionCountNotAboveCurrent() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));
        createTopic("orders", 3, 1);

        var lower = increase(new PartitionsIncrease("orders", 2, List.of()));
        var equal = increase(new PartitionsIncrease("orders", 3, List.of()));

        assertThat(lower.events()).isEmpty();
        assertThat(lower.reply().results().get(0).error()).isEqualTo(Errors.INVALID_PARTITIONS);
        assertThat(lower.reply().results().get(0).message())
                .isEqualTo("Topic currently has 3 partitions, which is higher than the requested 2.");
        assertThat(equal.reply().results().get(0).message())
                .isEqualTo("Topic currently has 3 partitions, which is equal to the requested 3.");
    }

    @Test
    void rejectsPartitionsForUnknownTopicAndMiscountedAssignments() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));
        createTopic("orders", 1, 1);

        var unknown = increase(new PartitionsIncrease("nope", 2, List.of()));
        var miscounted = increase(new PartitionsIncrease("orders", 3, List.of(List.of(1))));

        assertThat(unknown.reply().results().get(0).error()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(miscounted.reply().results().get(0).error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(miscounted.reply().results().get(0).message())
                .isEqualTo("Attempted to add 2 additional partition(s), but 1 assignment(s) were specified.");
        assertThat(miscounted.events()).isEmpty();
    }

    @Test
    void replacesTopicConfigs() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));
        createTopic("orders", 1, 1);

        var result = replaceConfigs("topic", "orders", Map.of("retention.ms", "5000"), false);

        assertThat(result.events()).containsExactly(new TopicConfigsReplaced("orders", Map.of("retention.ms", "5000")));
        assertThat(result.reply()).isEqualTo(new OperationResult(Errors.NONE, null));
        assertThat(result.state().image().topic("orders").orElseThrow().configs())
                .isEqualTo(Map.of("retention.ms", "5000"));
    }

    @Test
    void rejectsConfigsOfUnknownTopicAndInvalidConfigs() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));
        createTopic("orders", 1, 1);

        var unknown = replaceConfigs("topic", "nope", Map.of(), false);
        var invalid = replaceConfigs("topic", "orders", Map.of("retention.ms", "x"), false);

        assertThat(unknown.reply())
                .isEqualTo(new OperationResult(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic 'nope' does not exist."));
        assertThat(invalid.reply())
                .isEqualTo(new OperationResult(
                        Errors.INVALID_CONFIG,
                        "Invalid value x for configuration retention.ms: Not a number of type LONG"));
        assertThat(invalid.events()).isEmpty();
    }

    @Test
    void replacesBrokerConfigsUnlessValidateOnly() {
        var validateOnly = replaceConfigs("broker", "", Map.of("log.retention.ms", "1"), true);
        var replaced = replaceConfigs("broker", "", Map.of("log.retention.ms", "1"), false);
        var badName = replaceConfigs("broker", "one", Map.of(), false);

        assertThat(validateOnly.events()).isEmpty();
        assertThat(replaced.events()).containsExactly(new BrokerConfigsReplaced("", Map.of("log.retention.ms", "1")));
        assertThat(replaced.state().image().brokerConfigs("")).isEqualTo(Map.of("log.retention.ms", "1"));
        assertThat(badName.reply().error()).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void handsOutConsecutiveProducerIdBlocks() {
        var first = allocate(1);
        var second = allocate(2);

        assertThat(first.reply()).isEqualTo(new ProducerIdBlock(1, 0L, 1000, Errors.NONE));
        assertThat(first.events()).containsExactly(new ProducerIdsAllocated(1, 0L, 1000));
        assertThat(second.reply()).isEqualTo(new ProducerIdBlock(2, 1000L, 1000, Errors.NONE));
        assertThat(second.state().nextProducerId()).isEqualTo(2000L);
    }

    @Test
    void registersALiveIncarnationAndPushesTheImageThenDeltas() {
        TestProbe<MetadataPush> node = TEST_KIT.createTestProbe();
        TestProbe<Registration> answers = TEST_KIT.createTestProbe();
        controller.runCommand(new LiveMembers(Set.of(incarnation(1))));

        var registered =
                controller.runCommand(new RegisterBroker(BROKER_1, incarnation(1), -1L, node.ref(), answers.ref()));

        assertThat(registered.events()).containsExactly(new BrokerRegistered(BROKER_1, incarnation(1)));
        assertThat(answers.expectMessageClass(Registration.class))
                .isEqualTo(new Registration(RegistrationStatus.REGISTERED, 1L, null));
        ImageChunk image = node.expectMessageClass(ImageChunk.class);
        assertThat(image.offset()).isEqualTo(1L);
        assertThat(image.part().brokers()).isEqualTo(Map.of(1, BROKER_1));
        assertThat(image.part().registrations().get(1))
                .isEqualTo(new BrokerRegistration(BROKER_1, incarnation(1), 1L, false));

        createTopic("orders", 1, 1);
        MetadataDelta delta = node.expectMessageClass(MetadataDelta.class);
        assertThat(delta.baseOffset()).isEqualTo(2L);
        assertThat(delta.events()).hasSize(1);
        assertThat(delta.events().get(0)).isInstanceOf(ControllerEvent.TopicCreated.class);
    }

    @Test
    void aRegistrationFromAnIncarnationThatIsNotAMemberYetIsRetried() {
        TestProbe<Registration> answers = TEST_KIT.createTestProbe();

        var result = controller.runCommand(new RegisterBroker(
                BROKER_1,
                incarnation(1),
                -1L,
                TEST_KIT.<MetadataPush>createTestProbe().ref(),
                answers.ref()));

        assertThat(result.events()).isEmpty();
        assertThat(answers.expectMessageClass(Registration.class).status())
                .isEqualTo(RegistrationStatus.NOT_A_MEMBER_YET);
    }

    @Test
    void aNodeIdHeldByAnotherLiveIncarnationIsADuplicate() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(1)));
        controller.runCommand(new LiveMembers(Set.of(incarnation(1), "another")));
        TestProbe<Registration> answers = TEST_KIT.createTestProbe();

        var result = controller.runCommand(new RegisterBroker(
                BROKER_1,
                "another",
                -1L,
                TEST_KIT.<MetadataPush>createTestProbe().ref(),
                answers.ref()));

        assertThat(result.events()).isEmpty();
        Registration answer = answers.expectMessageClass(Registration.class);
        assertThat(answer.status()).isEqualTo(RegistrationStatus.DUPLICATE);
        assertThat(answer.message()).contains("node id 1 is in use by the live member " + incarnation(1));
    }

    @Test
    void reRegistrationOfTheSameIncarnationPersistsNothingAndSendsTheImageWhenBehind() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(1)));
        controller.runCommand(new LiveMembers(Set.of(incarnation(1))));
        TestProbe<MetadataPush> node = TEST_KIT.createTestProbe();
        TestProbe<Registration> answers = TEST_KIT.createTestProbe();

        var behind = controller.runCommand(new RegisterBroker(BROKER_1, incarnation(1), 0L, node.ref(), answers.ref()));
        var current =
                controller.runCommand(new RegisterBroker(BROKER_1, incarnation(1), 1L, node.ref(), answers.ref()));

        assertThat(behind.events()).isEmpty();
        assertThat(current.events()).isEmpty();
        assertThat(answers.expectMessageClass(Registration.class).brokerEpoch()).isEqualTo(1L);
        assertThat(node.expectMessageClass(ImageChunk.class).offset()).isEqualTo(1L);
        node.expectNoMessage(java.time.Duration.ofMillis(100));
    }

    @Test
    void aNewIncarnationFencesTheOldOneAndRegistersWithANewEpoch() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(1)));
        controller.runCommand(new LiveMembers(Set.of("restarted")));
        TestProbe<Registration> answers = TEST_KIT.createTestProbe();

        var result = controller.runCommand(new RegisterBroker(
                BROKER_1,
                "restarted",
                -1L,
                TEST_KIT.<MetadataPush>createTestProbe().ref(),
                answers.ref()));

        // the live-members update already fenced incarnation(1) (offset 2); the registration is offset 3
        assertThat(result.events()).containsExactly(new BrokerRegistered(BROKER_1, "restarted"));
        assertThat(answers.expectMessageClass(Registration.class).brokerEpoch()).isEqualTo(3L);
        assertThat(result.state().image().registrations().get(1))
                .isEqualTo(new BrokerRegistration(BROKER_1, "restarted", 3L, false));
    }

    @Test
    void answersTheCurrentImageInChunks() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(1)));
        TestProbe<MetadataPush> node = TEST_KIT.createTestProbe();

        controller.runCommand(new GetImage(node.ref()));

        ImageChunk chunk = node.expectMessageClass(ImageChunk.class);
        assertThat(chunk.count()).isEqualTo(1);
        assertThat(chunk.part()).isEqualTo(controller.getState().image());
        assertThat(chunk.part().clusterId()).isEqualTo("test-cluster-id");
    }

    @Test
    void recoversTopicsIdsConfigsAndProducerIdsAfterRestart() {
        controller.initialize(new BrokerRegistered(BROKER_1, incarnation(1)));
        Uuid id = createTopic("orders", 2, 1);
        replaceConfigs("topic", "orders", Map.of("retention.ms", "7"), false);
        allocate(1);
        allocate(1);
        ControllerState before = controller.getState();

        ControllerState after = controller.restart().state();

        assertThat(after).isEqualTo(before);
        assertThat(after.image().offset()).isEqualTo(5L);
        assertThat(after.image().topic(id).orElseThrow().configs()).isEqualTo(Map.of("retention.ms", "7"));
        assertThat(controller
                        .snapshotTestKit()
                        .orElseThrow()
                        .persistedInStorage(ControllerBehavior.PERSISTENCE_ID.id()))
                .isNotEmpty();
        var third = allocate(1);
        assertThat(third.reply().firstProducerId()).isEqualTo(2000L);
    }

    private Uuid createTopic(String name, int partitions, int replicationFactor) {
        CommandResultWithReply<Controller.Command, ControllerEvent, ControllerState, TopicResults> result =
                controller.runCommand(replyTo ->
                        new CreateTopics(List.of(topic(name, partitions, replicationFactor)), false, replyTo));
        assertThat(result.reply().results().get(0).error()).isEqualTo(Errors.NONE);
        return result.reply().results().get(0).topicId();
    }

    private CommandResultWithReply<Controller.Command, ControllerEvent, ControllerState, TopicResults> increase(
            PartitionsIncrease increase) {
        return controller.runCommand(replyTo -> new CreatePartitions(List.of(increase), false, replyTo));
    }

    private CommandResultWithReply<Controller.Command, ControllerEvent, ControllerState, OperationResult>
            replaceConfigs(String type, String name, Map<String, String> configs, boolean validateOnly) {
        return controller.runCommand(replyTo -> new ReplaceConfigs(type, name, configs, validateOnly, replyTo));
    }

    private CommandResultWithReply<Controller.Command, ControllerEvent, ControllerState, ProducerIdBlock> allocate(
            int brokerId) {
        return controller.runCommand(replyTo -> new AllocateProducerIds(brokerId, replyTo));
    }
}
