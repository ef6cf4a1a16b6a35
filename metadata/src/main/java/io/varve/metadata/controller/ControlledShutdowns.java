package io.varve.metadata.controller;

import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.Controller.AlterPartitionResult;
import io.varve.metadata.Controller.ControlledShutdown;
import io.varve.metadata.Controller.ControlledShutdownResult;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;

/**
 * The brokers in controlled shutdown (Kafka's ControlledShutdown), by node id with the incarnation
 * that asked, and what such a request decides: from then on the broker is never elected ({@link
 * Elections#shuttingDown}) nor added to an ISR (INELIGIBLE_REPLICA), it leaves the ISRs and its
 * leaderships move ({@link Elections#onControlledShutdown}), and the reply counts the leaderships it
 * still holds once the changes are applied. A broker is forgotten once its incarnation left the
 * cluster. Kept in memory only (a new controller starts without it); owned by the controller actor.
 */
final class ControlledShutdowns {
    private final Map<Integer, String> shuttingDown = new HashMap<>();
    private final Elections elections;

    ControlledShutdowns(Elections elections) {
        this.elections = elections;
    }

    /** Marks the broker as shutting down (a registered, unfenced incarnation only) and plans the moves. */
    Outcome<ControlledShutdownResult> request(MetadataImage image, ControlledShutdown request) {
        BrokerRegistration registration = image.registrations().get(request.brokerId());
        if (registration == null
                || registration.fenced()
                || !registration.incarnation().equals(request.incarnation())) {
            return new Outcome<>(
                    new ControlledShutdownResult(
                            Errors.STALE_BROKER_EPOCH,
                            "broker " + request.brokerId() + " is not registered by " + request.incarnation(),
                            -1),
                    List.of());
        }
        shuttingDown.put(request.brokerId(), request.incarnation());
        elections.shuttingDown(shuttingDown.keySet());
        List<ControllerEvent> events = EventChunks.changed(elections.onControlledShutdown(
                image, request.brokerId(), image.brokers().keySet()));
        MetadataImage next = MetadataImageTransition.applyAll(image, events);
        return new Outcome<>(
                new ControlledShutdownResult(Errors.NONE, null, leaderships(next, request.brokerId())), events);
    }

    boolean isShuttingDown(int brokerId) {
        return shuttingDown.containsKey(brokerId);
    }

    /** An ISR change that would add a broker in controlled shutdown is refused: empty when it adds none. */
    Optional<AlterPartitionResult> refuseAddition(
            String topic, PartitionRegistration current, PartitionRegistration next) {
        for (int member : next.isr()) {
            if (shuttingDown.containsKey(member) && !current.isr().contains(member)) {
                return Optional.of(new AlterPartitionResult(
                        Errors.INELIGIBLE_REPLICA,
                        "broker " + member + " cannot join the ISR of " + topic + "-" + current.partition()
                                + ": it is in controlled shutdown",
                        null));
            }
        }
        return Optional.empty();
    }

    /** Forgets the brokers whose shutting-down incarnation is no longer a live member. */
    void forgetGone(Set<String> liveIncarnations) {
        if (shuttingDown.values().removeIf(incarnation -> !liveIncarnations.contains(incarnation))) {
            elections.shuttingDown(shuttingDown.keySet());
        }
    }

    private static int leaderships(MetadataImage image, int brokerId) {
        int led = 0;
        for (TopicImage topic : image.topicsByName().values()) {
            for (PartitionRegistration partition : topic.partitions().values()) {
                if (partition.leader() == brokerId) {
                    led++;
                }
            }
        }
        return led;
    }
}
