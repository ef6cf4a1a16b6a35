package io.varve.metadata.controller;

import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.AlterPartitionResult;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition leader's ISR change (Kafka's AlterPartition): checked by {@link AlterPartitionCheck},
 * refused for a broker in controlled shutdown joining the ISR ({@link ControlledShutdowns}), and, for
 * a moving partition whose target replicas are now all in sync, followed in the same batch by the
 * completion of its move ({@link ReassignmentPlanner#completeIfDone}). The leader is answered with
 * the registration it asked for; a completed move reaches it through the metadata (a newer partition
 * epoch). Holds the controller's shutdown and election state; confined to the controller actor.
 */
final class IsrChangePlanner {
    private static final Logger log = LoggerFactory.getLogger(IsrChangePlanner.class);

    private final ControlledShutdowns shutdowns;
    private final Elections elections;

    IsrChangePlanner(ControlledShutdowns shutdowns, Elections elections) {
        this.shutdowns = shutdowns;
        this.elections = elections;
    }

    Outcome<AlterPartitionResult> plan(ControllerState state, AlterPartition command) {
        Validated<PartitionRegistration> checked = AlterPartitionCheck.check(state.image(), command);
        if (!checked.isOk()) {
            log.info("refused AlterPartition of {}-{}: {}", command.topic(), command.partition(), checked.message());
            return new Outcome<>(new AlterPartitionResult(checked.error(), checked.message(), null), List.of());
        }
        PartitionRegistration next = checked.value();
        PartitionRegistration current =
                state.image().topicsByName().get(command.topic()).partitions().get(command.partition());
        Optional<AlterPartitionResult> refused = shutdowns.refuseAddition(command.topic(), current, next);
        if (refused.isPresent()) {
            return new Outcome<>(refused.get(), List.of());
        }
        AlterPartitionResult accepted = new AlterPartitionResult(Errors.NONE, null, next);
        if (next.equals(current)) {
            return new Outcome<>(accepted, List.of());
        }
        log.info(
                "ISR of {}-{}: {} -> {} (leader {}, partition epoch {})",
                command.topic(),
                command.partition(),
                current.isr(),
                next.isr(),
                next.leader(),
                next.partitionEpoch());
        List<ControllerEvent> completion = ReassignmentPlanner.completeIfDone(
                command.topic(),
                next,
                state.reassignments(),
                elections.eligible(state.image().brokers().keySet()));
        if (completion.isEmpty()) {
            return new Outcome<>(accepted, EventChunks.changed(List.of(new PartitionChange(command.topic(), next))));
        }
        PartitionRegistration done = ((ControllerEvent.PartitionsChanged) completion.get(0))
                .changes()
                .get(0)
                .registration();
        log.info(
                "reassignment of {}-{} completed: replicas {} -> {}, ISR {}, leader {} (leader epoch {})",
                command.topic(),
                command.partition(),
                current.replicas(),
                done.replicas(),
                done.isr(),
                done.leader(),
                done.leaderEpoch());
        return new Outcome<>(accepted, new ArrayList<>(completion));
    }
}
