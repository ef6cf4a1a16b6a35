package io.varve.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.AlterPartitionResult;
import io.varve.metadata.Controller.AlterReassignments;
import io.varve.metadata.Controller.IsrMember;
import io.varve.metadata.Controller.ListReassignments;
import io.varve.metadata.Controller.OngoingReassignment;
import io.varve.metadata.Controller.OngoingReassignments;
import io.varve.metadata.Controller.ReassignmentResult;
import io.varve.metadata.Controller.ReassignmentResults;
import io.varve.metadata.Controller.ReassignmentTarget;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.PartitionsChanged;
import io.varve.metadata.controller.ControllerEvent.ReassignmentEnded;
import io.varve.metadata.controller.ControllerEvent.ReassignmentStarted;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Partition reassignment (KIP-455) in the controller: four live brokers; "orders" partition 0 on
 * replicas 1,2,3 (ISR 1,2,3, led by 1 at leader epoch 3, partition epoch 5), partition 1 on 2,3,1.
 */
@ExtendWith(LogCapturingExtension.class)
class ReassignmentTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ControllerTestKit.config());

    private EventSourcedBehaviorTestKit<Controller.Command, ControllerEvent, ControllerState> controller;

    @BeforeEach
    void start() {
        controller = ControllerTestKit.withOrders(
                TEST_KIT.system(),
                4,
                Map.of(
                        0, new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 3, 5),
                        1, new PartitionRegistration(1, List.of(2, 3, 1), List.of(2, 3, 1), 2, 0, 0)));
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void aMoveRunsOnTheUnionUntilTheNewReplicaIsInSyncThenSwitchesToTheTarget() {
        var started = alter(target(0, 2, 3, 4));

        assertThat(started.reply().results()).containsExactly(new ReassignmentResult("orders", 0, Errors.NONE, null));
        assertThat(started.events())
                .containsExactly(
                        changed(new PartitionRegistration(0, List.of(2, 3, 4, 1), List.of(1, 2, 3), 1, 3, 6)),
                        new ReassignmentStarted("orders", 0, List.of(1, 2, 3), List.of(2, 3, 4)));
        assertThat(listAll().reassignments())
                .containsExactly(new OngoingReassignment("orders", 0, List.of(2, 3, 4, 1), List.of(4), List.of(1)));

        // the leader takes the caught-up replica 4 into the ISR: the move completes in the same batch,
        // and the leader 1, leaving, gives way to the first in-sync target replica
        var caughtUp = controller.<AlterPartitionResult>runCommand(
                replyTo -> new AlterPartition("orders", 0, 1, -1L, 3, 6, members(1, 2, 3, 4), replyTo));
        assertThat(caughtUp.reply())
                .isEqualTo(new AlterPartitionResult(
                        Errors.NONE,
                        null,
                        new PartitionRegistration(0, List.of(2, 3, 4, 1), List.of(1, 2, 3, 4), 1, 3, 7)));
        assertThat(caughtUp.events())
                .containsExactly(
                        changed(new PartitionRegistration(0, List.of(2, 3, 4), List.of(2, 3, 4), 2, 4, 8)),
                        new ReassignmentEnded("orders", 0));
        assertThat(listAll().reassignments()).isEmpty();
        assertThat(controller.getState().reassignments().isEmpty()).isTrue();
    }

    @Test
    void aMoveInProgressSurvivesAControllerRestartAndCanBeCancelled() {
        alter(target(0, 4, 3, 2));
        controller.restart();

        var listed = controller.<OngoingReassignments>runCommand(
                replyTo -> new ListReassignments(Map.of("orders", List.of(0, 1, 5)), replyTo));
        assertThat(listed.reply().reassignments())
                .containsExactly(new OngoingReassignment("orders", 0, List.of(4, 3, 2, 1), List.of(4), List.of(1)));

        var cancelled = alter(new ReassignmentTarget("orders", 0, List.of(), true));
        assertThat(cancelled.reply().results()).containsExactly(new ReassignmentResult("orders", 0, Errors.NONE, null));
        assertThat(cancelled.events())
                .containsExactly(
                        changed(new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 3, 7)),
                        new ReassignmentEnded("orders", 0));

        var again = alter(new ReassignmentTarget("orders", 0, List.of(), true));
        assertThat(again.reply().results())
                .extracting(ReassignmentResult::error)
                .containsExactly(Errors.NO_REASSIGNMENT_IN_PROGRESS);
        assertThat(again.events()).isEmpty();
    }

    @Test
    void aResubmittedMoveKeepsItsAddingReplicaSoThatACancelStillRemovesIt() {
        alter(target(0, 2, 3, 4));
        // kafka-reassign-partitions.sh --execute --additional --throttle resubmits the plan in progress
        var resubmitted = alter(target(0, 2, 3, 4));

        assertThat(resubmitted.reply().results())
                .containsExactly(new ReassignmentResult("orders", 0, Errors.NONE, null));
        assertThat(resubmitted.events())
                .containsExactly(new ReassignmentStarted("orders", 0, List.of(1, 2, 3), List.of(2, 3, 4)));
        assertThat(listAll().reassignments())
                .containsExactly(new OngoingReassignment("orders", 0, List.of(2, 3, 4, 1), List.of(4), List.of(1)));

        var cancelled = alter(new ReassignmentTarget("orders", 0, List.of(), true));
        assertThat(cancelled.events())
                .containsExactly(
                        changed(new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 3, 7)),
                        new ReassignmentEnded("orders", 0));
    }

    @Test
    void aMoveReplacedByATargetAddingNothingNewKeepsItsAddingReplica() {
        alter(target(0, 2, 3, 4));
        // the new target drops 3 instead of 1 and adds no replica of its own: 4 is still being added
        var replaced = alter(target(0, 1, 2, 4));

        assertThat(replaced.reply().results()).containsExactly(new ReassignmentResult("orders", 0, Errors.NONE, null));
        assertThat(listAll().reassignments())
                .containsExactly(new OngoingReassignment("orders", 0, List.of(1, 2, 4, 3), List.of(4), List.of(3)));

        var cancelled = alter(new ReassignmentTarget("orders", 0, List.of(), true));
        PartitionRegistration reverted =
                ((PartitionsChanged) cancelled.events().get(0)).changes().get(0).registration();
        assertThat(reverted.replicas()).containsExactly(1, 2, 3);
        assertThat(reverted.isr()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(reverted.leader()).isEqualTo(1);
    }

    @Test
    void aTargetAlreadyInSyncCompletesAtOnceElectingFromTheTarget() {
        var shrunk = alter(target(0, 3, 2));

        assertThat(shrunk.events())
                .containsExactly(changed(new PartitionRegistration(0, List.of(3, 2), List.of(2, 3), 3, 4, 6)));
        assertThat(listAll().reassignments()).isEmpty();

        var same = alter(new ReassignmentTarget("orders", 1, List.of(2, 3, 1), false));
        assertThat(same.reply().results()).extracting(ReassignmentResult::error).containsExactly(Errors.NONE);
        assertThat(same.events()).isEmpty();
    }

    @Test
    void invalidTargetsGetKafkasErrorsAndChangeNothing() {
        var refused = controller.<ReassignmentResults>runCommand(replyTo -> new AlterReassignments(
                List.of(
                        new ReassignmentTarget("missing", 0, List.of(1), false),
                        new ReassignmentTarget("orders", 9, List.of(1), false),
                        new ReassignmentTarget("orders", 0, List.of(), false),
                        new ReassignmentTarget("orders", 0, List.of(2, 2, 3), false),
                        new ReassignmentTarget("orders", 0, List.of(1, 2, 7), false),
                        new ReassignmentTarget("orders", 1, List.of(1, 2), false),
                        new ReassignmentTarget("orders", 1, List.of(), true)),
                false,
                replyTo));

        assertThat(refused.reply().results())
                .extracting(ReassignmentResult::error)
                .containsExactly(
                        Errors.UNKNOWN_TOPIC_OR_PARTITION,
                        Errors.UNKNOWN_TOPIC_OR_PARTITION,
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        Errors.INVALID_REPLICATION_FACTOR,
                        Errors.NO_REASSIGNMENT_IN_PROGRESS);
        assertThat(refused.reply().results().get(5).message())
                .isEqualTo("The replication factor is changed from 3 to 2.");
        assertThat(refused.reply().results().get(4).message()).contains("broker 7");
        assertThat(refused.events()).isEmpty();
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    Controller.Command, ControllerEvent, ControllerState, ReassignmentResults>
            alter(ReassignmentTarget target) {
        return controller.runCommand(replyTo -> new AlterReassignments(List.of(target), true, replyTo));
    }

    private OngoingReassignments listAll() {
        return controller
                .<OngoingReassignments>runCommand(replyTo -> new ListReassignments(null, replyTo))
                .reply();
    }

    private static ReassignmentTarget target(int partition, Integer... replicas) {
        return new ReassignmentTarget("orders", partition, List.of(replicas), false);
    }

    private static PartitionsChanged changed(PartitionRegistration registration) {
        return new PartitionsChanged(List.of(new PartitionChange("orders", registration)));
    }

    private static List<IsrMember> members(int... ids) {
        return java.util.Arrays.stream(ids)
                .mapToObj(id -> new IsrMember(id, -1L))
                .toList();
    }
}
