package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.BROKER_2;
import static io.varve.metadata.TestImages.incarnation;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.AlterPartitionResult;
import io.varve.metadata.Controller.IsrMember;
import io.varve.metadata.Controller.LiveMembers;
import io.varve.metadata.Controller.MetadataPush;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.Registration;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.BrokersFenced;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.PartitionsChanged;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The controller as brokers come and go: fencing a broker whose incarnation left (with the elections
 * that follow), electing leaders again when a broker returns, unclean election when a topic allows it,
 * and ISR changes from partition leaders. Three brokers; "orders" has two partitions on replicas
 * 1,2,3 and 2,3,1, led by 1 and 2.
 */
@ExtendWith(LogCapturingExtension.class)
class ControllerFailoverTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ControllerTestKit.config());
    private static final BrokerInfo BROKER_3 = new BrokerInfo(3, "127.0.0.3", 9092, null);
    private static final Uuid ORDERS = new Uuid(7, 7);

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

    private void threeBrokersAndOrders(Map<String, String> configs) {
        controller.initialize(
                new BrokerRegistered(BROKER_1, incarnation(1)),
                new BrokerRegistered(BROKER_2, incarnation(2)),
                new BrokerRegistered(BROKER_3, incarnation(3)),
                new TopicCreated(
                        "orders",
                        ORDERS,
                        Map.of(
                                0, new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 0, 0),
                                1, new PartitionRegistration(1, List.of(2, 3, 1), List.of(2, 3), 2, 0, 0)),
                        configs));
    }

    @Test
    void aBrokerWhoseIncarnationLeftIsFencedAndItsPartitionsGetNewLeaders() {
        threeBrokersAndOrders(Map.of());
        TestProbe<MetadataPush> node = TEST_KIT.createTestProbe();
        controller.runCommand(new LiveMembers(Set.of(incarnation(1), incarnation(2), incarnation(3))));
        controller.<Registration>runCommand(
                replyTo -> new RegisterBroker(BROKER_3, incarnation(3), 4L, node.ref(), replyTo));

        var result = controller.runCommand(new LiveMembers(Set.of(incarnation(1), incarnation(3))));

        assertThat(result.events())
                .containsExactly(
                        new BrokersFenced(List.of(2)),
                        new PartitionsChanged(List.of(
                                new PartitionChange(
                                        "orders",
                                        new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 3), 1, 0, 1)),
                                new PartitionChange(
                                        "orders",
                                        new PartitionRegistration(1, List.of(2, 3, 1), List.of(3), 3, 1, 1)))));
        assertThat(result.state().image().brokers().keySet()).containsExactly(1, 3);
        Controller.MetadataDelta delta = node.expectMessageClass(Controller.MetadataDelta.class);
        assertThat(delta.baseOffset()).isEqualTo(5L);
        assertThat(delta.events()).isEqualTo(result.events());
    }

    @Test
    void aPartitionWithoutLiveIsrMemberGoesOfflineAndComesBackWithItsLastLeader() {
        threeBrokersAndOrders(Map.of());
        controller.runCommand(new LiveMembers(Set.of(incarnation(1))));
        PartitionRegistration offline = controller
                .getState()
                .image()
                .topic("orders")
                .orElseThrow()
                .partitions()
                .get(1);
        // brokers 2 and 3 went together: the ISR keeps its last leader, and no out-of-sync replica leads
        assertThat(offline).isEqualTo(new PartitionRegistration(1, List.of(2, 3, 1), List.of(2), -1, 1, 1));

        controller.runCommand(new LiveMembers(Set.of(incarnation(1), "3-again", "2-again")));
        var three = controller.<Registration>runCommand(replyTo -> new RegisterBroker(
                BROKER_3,
                "3-again",
                -1L,
                TEST_KIT.<MetadataPush>createTestProbe().ref(),
                replyTo));
        var two = controller.<Registration>runCommand(replyTo -> new RegisterBroker(
                BROKER_2,
                "2-again",
                -1L,
                TEST_KIT.<MetadataPush>createTestProbe().ref(),
                replyTo));

        assertThat(three.events()).containsExactly(new BrokerRegistered(BROKER_3, "3-again"));
        assertThat(two.events())
                .containsExactly(
                        new BrokerRegistered(BROKER_2, "2-again"),
                        new PartitionsChanged(List.of(new PartitionChange(
                                "orders", new PartitionRegistration(1, List.of(2, 3, 1), List.of(2), 2, 2, 2)))));
    }

    @Test
    void aTopicAllowingUncleanElectionElectsALiveOutOfSyncReplica() {
        threeBrokersAndOrders(Map.of("unclean.leader.election.enable", "true"));

        var result = controller.runCommand(new LiveMembers(Set.of(incarnation(1))));

        PartitionRegistration p1 = result.state()
                .image()
                .topic("orders")
                .orElseThrow()
                .partitions()
                .get(1);
        assertThat(p1).isEqualTo(new PartitionRegistration(1, List.of(2, 3, 1), List.of(1), 1, 1, 1));
    }

    @Test
    void turningUncleanElectionOnForATopicElectsItsOfflinePartitionsAtOnce() {
        threeBrokersAndOrders(Map.of());
        controller.runCommand(new LiveMembers(Set.of(incarnation(1), incarnation(3))));
        controller.runCommand(new LiveMembers(Set.of(incarnation(1))));
        // partition 1 (replicas 2,3,1) is offline: its ISR holds only 3, which is gone
        assertThat(controller
                        .getState()
                        .image()
                        .topic("orders")
                        .orElseThrow()
                        .partitions()
                        .get(1)
                        .leader())
                .isEqualTo(-1);

        var result = controller.<Controller.OperationResult>runCommand(replyTo -> new Controller.ReplaceConfigs(
                "topic", "orders", Map.of("unclean.leader.election.enable", "true"), false, replyTo));

        assertThat(result.reply().error()).isEqualTo(Errors.NONE);
        PartitionRegistration p1 = result.state()
                .image()
                .topic("orders")
                .orElseThrow()
                .partitions()
                .get(1);
        assertThat(p1.leader()).isEqualTo(1);
        assertThat(p1.isr()).containsExactly(1);
    }

    @Test
    void theLeaderChangesTheIsrAtItsEpochsAndTheChangeIsPushed() {
        threeBrokersAndOrders(Map.of());
        TestProbe<MetadataPush> node = TEST_KIT.createTestProbe();
        controller.runCommand(new LiveMembers(Set.of(incarnation(1), incarnation(2), incarnation(3))));
        controller.<Registration>runCommand(
                replyTo -> new RegisterBroker(BROKER_1, incarnation(1), 4L, node.ref(), replyTo));

        var shrink = controller.<AlterPartitionResult>runCommand(replyTo -> new AlterPartition(
                "orders", 0, 1, 1L, 0, 0, List.of(new IsrMember(1, 1L), new IsrMember(2, 2L)), replyTo));
        var stale = controller.<AlterPartitionResult>runCommand(
                replyTo -> new AlterPartition("orders", 0, 1, 1L, 0, 0, List.of(new IsrMember(1, 1L)), replyTo));

        PartitionRegistration next = new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2), 1, 0, 1);
        assertThat(shrink.reply()).isEqualTo(new AlterPartitionResult(Errors.NONE, null, next));
        assertThat(shrink.events())
                .containsExactly(new PartitionsChanged(List.of(new PartitionChange("orders", next))));
        assertThat(node.expectMessageClass(Controller.MetadataDelta.class).events())
                .isEqualTo(shrink.events());
        assertThat(stale.reply().error()).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(stale.events()).isEmpty();
    }

    @Test
    void registrationOfAReturningBrokerIsAnsweredWithItsNewEpoch() {
        threeBrokersAndOrders(Map.of());
        controller.runCommand(new LiveMembers(Set.of(incarnation(1), incarnation(3), "2-again")));
        TestProbe<Registration> answers = TEST_KIT.createTestProbe();

        controller.runCommand(new RegisterBroker(
                BROKER_2,
                "2-again",
                -1L,
                TEST_KIT.<MetadataPush>createTestProbe().ref(),
                answers.ref()));

        long epoch = answers.expectMessageClass(Registration.class).brokerEpoch();
        assertThat(controller.getState().image().brokerEpoch(2)).isEqualTo(epoch);
        assertThat(controller.getState().image().isLive(2)).isTrue();
    }
}
