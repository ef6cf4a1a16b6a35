package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.incarnation;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.AlterPartitionResult;
import io.varve.metadata.Controller.ControlledShutdown;
import io.varve.metadata.Controller.ControlledShutdownResult;
import io.varve.metadata.Controller.ElectLeaders;
import io.varve.metadata.Controller.ElectionResult;
import io.varve.metadata.Controller.ElectionResults;
import io.varve.metadata.Controller.ElectionType;
import io.varve.metadata.Controller.IsrMember;
import io.varve.metadata.Controller.LiveMembers;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.PartitionsChanged;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Operations that move leaders while every broker is up: controlled shutdown and ElectLeaders
 * (preferred and unclean). Three brokers; "orders" has partitions on replicas 1,2,3 (led by 1, ISR
 * 1,2,3), 2,3,1 (led by 3, ISR 3,1: its preferred leader 2 is out of sync) and 1,2,3 (ISR 1 only).
 */
@ExtendWith(LogCapturingExtension.class)
class LeaderMovesTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ControllerTestKit.config());

    private EventSourcedBehaviorTestKit<Controller.Command, ControllerEvent, ControllerState> controller;

    @BeforeEach
    void start() {
        controller = ControllerTestKit.withOrders(
                TEST_KIT.system(),
                3,
                Map.of(
                        0, new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 6),
                        1, new PartitionRegistration(1, List.of(2, 3, 1), List.of(3, 1), 3, 2, 2),
                        2, new PartitionRegistration(2, List.of(1, 2, 3), List.of(1), 1, 0, 0)));
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void controlledShutdownMovesLeadershipsToInSyncReplicasAndLeavesTheIsrs() {
        var result = controller.<ControlledShutdownResult>runCommand(
                replyTo -> new ControlledShutdown(1, incarnation(1), replyTo));

        assertThat(result.events()).hasSize(1);
        assertThat(((PartitionsChanged) result.events().get(0)).changes())
                .containsExactlyInAnyOrder(
                        new PartitionChange(
                                "orders", new PartitionRegistration(0, List.of(1, 2, 3), List.of(2, 3), 2, 5, 7)),
                        new PartitionChange(
                                "orders", new PartitionRegistration(1, List.of(2, 3, 1), List.of(3), 3, 2, 3)),
                        // its only in-sync replica is stopping: offline, as Kafka leaves it, never unclean
                        new PartitionChange(
                                "orders", new PartitionRegistration(2, List.of(1, 2, 3), List.of(1), -1, 1, 1)));
        assertThat(result.reply()).isEqualTo(new ControlledShutdownResult(Errors.NONE, null, 0));
    }

    @Test
    void aBrokerInControlledShutdownIsNeitherAddedToAnIsrNorElected() {
        controller.<ControlledShutdownResult>runCommand(replyTo -> new ControlledShutdown(1, incarnation(1), replyTo));

        var refused = controller.<AlterPartitionResult>runCommand(replyTo -> new AlterPartition(
                "orders",
                0,
                2,
                -1L,
                5,
                7,
                List.of(new IsrMember(2, -1L), new IsrMember(3, -1L), new IsrMember(1, -1L)),
                replyTo));
        assertThat(refused.reply().error()).isEqualTo(Errors.INELIGIBLE_REPLICA);
        assertThat(refused.events()).isEmpty();

        var preferred = controller.<ElectionResults>runCommand(
                replyTo -> new ElectLeaders(ElectionType.PREFERRED, Map.of("orders", List.of(0)), replyTo));
        assertThat(preferred.reply().results())
                .extracting(ElectionResult::error)
                .containsExactly(Errors.PREFERRED_LEADER_NOT_AVAILABLE);

        // once its incarnation left, a request of that incarnation is stale
        controller.runCommand(new LiveMembers(Set.of(incarnation(2), incarnation(3))));
        controller.runCommand(new LiveMembers(Set.of("1-again", incarnation(2), incarnation(3))));
        var stale = controller.<ControlledShutdownResult>runCommand(
                replyTo -> new ControlledShutdown(1, incarnation(1), replyTo));
        assertThat(stale.reply().error()).isEqualTo(Errors.STALE_BROKER_EPOCH);
    }

    /**
     * Broker 1 fenced (partition 0 goes to 2, partition 2 offline), then back as a new incarnation:
     * partition 2 gets its leader 1 back, and partition 0's leader 2 takes 1 into its ISR again.
     */
    private void brokerOneRestartedAndBackInSync() {
        controller.runCommand(new LiveMembers(Set.of(incarnation(2), incarnation(3))));
        controller.runCommand(new LiveMembers(Set.of("1-again", incarnation(2), incarnation(3))));
        controller.<Controller.Registration>runCommand(replyTo -> new Controller.RegisterBroker(
                BROKER_1,
                "1-again",
                -1L,
                TEST_KIT.<Controller.MetadataPush>createTestProbe().ref(),
                replyTo));
        controller.<AlterPartitionResult>runCommand(replyTo -> new AlterPartition(
                "orders",
                0,
                2,
                -1L,
                5,
                7,
                List.of(new IsrMember(2, -1L), new IsrMember(3, -1L), new IsrMember(1, -1L)),
                replyTo));
    }

    @Test
    void automaticRebalancingGivesAnImbalancedBrokerItsPreferredPartitionsBack() {
        brokerOneRestartedAndBackInSync();

        var result = controller.runCommand(new Controller.CheckLeaderBalance());

        // broker 1 leads 1 of its 2 preferred partitions (50% > 10%); broker 2 leads none of its 1,
        // but it is not in that partition's ISR
        assertThat(result.events())
                .containsExactly(new PartitionsChanged(List.of(new PartitionChange(
                        "orders", new PartitionRegistration(0, List.of(1, 2, 3), List.of(2, 3, 1), 1, 6, 9)))));
        assertThat(controller.runCommand(new Controller.CheckLeaderBalance()).events())
                .isEmpty();
    }

    @Test
    void preferredElectionAnswersEachPartitionWithKafkasErrors() {
        brokerOneRestartedAndBackInSync();

        var result = controller.<ElectionResults>runCommand(replyTo -> new ElectLeaders(
                ElectionType.PREFERRED, Map.of("orders", List.of(0, 1, 2, 9), "missing", List.of(0)), replyTo));

        assertThat(result.reply().results())
                .extracting(r -> r.topic() + "-" + r.partition() + " " + r.error())
                .containsExactlyInAnyOrder(
                        "orders-0 NONE",
                        "orders-1 PREFERRED_LEADER_NOT_AVAILABLE",
                        "orders-2 ELECTION_NOT_NEEDED",
                        "orders-9 UNKNOWN_TOPIC_OR_PARTITION",
                        "missing-0 UNKNOWN_TOPIC_OR_PARTITION");
        assertThat(result.events())
                .containsExactly(new PartitionsChanged(List.of(new PartitionChange(
                        "orders", new PartitionRegistration(0, List.of(1, 2, 3), List.of(2, 3, 1), 1, 6, 9)))));

        // all partitions: only those that needed an election are answered, and now none does but 1
        var all = controller.<ElectionResults>runCommand(
                replyTo -> new ElectLeaders(ElectionType.PREFERRED, null, replyTo));
        assertThat(all.reply().results())
                .extracting(r -> r.topic() + "-" + r.partition() + " " + r.error())
                .containsExactly("orders-1 PREFERRED_LEADER_NOT_AVAILABLE");
        assertThat(all.events()).isEmpty();
    }

    @Test
    void uncleanElectionGivesALeaderlessPartitionItsFirstLiveReplica() {
        // brokers 1 and 3 gone: partition 2 (ISR 1) goes offline, partition 1 keeps ISR [3] without a leader
        controller.runCommand(new LiveMembers(Set.of(incarnation(2))));
        assertThat(controller.getState().image().partition(new org.apache.kafka.common.TopicPartition("orders", 2)))
                .map(PartitionRegistration::leader)
                .contains(-1);

        var result = controller.<ElectionResults>runCommand(
                replyTo -> new ElectLeaders(ElectionType.UNCLEAN, Map.of("orders", List.of(0, 1, 2)), replyTo));

        assertThat(result.reply().results())
                .extracting(r -> r.topic() + "-" + r.partition() + " " + r.error())
                .containsExactly("orders-0 ELECTION_NOT_NEEDED", "orders-1 NONE", "orders-2 NONE");
        PartitionRegistration two = controller
                .getState()
                .image()
                .partition(new org.apache.kafka.common.TopicPartition("orders", 2))
                .orElseThrow();
        assertThat(two.leader()).isEqualTo(2);
        assertThat(two.isr()).containsExactly(2);

        controller.runCommand(new LiveMembers(Set.of()));
        var none = controller.<ElectionResults>runCommand(
                replyTo -> new ElectLeaders(ElectionType.UNCLEAN, Map.of("orders", List.of(2)), replyTo));
        assertThat(none.reply().results())
                .extracting(ElectionResult::error)
                .containsExactly(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
    }
}
