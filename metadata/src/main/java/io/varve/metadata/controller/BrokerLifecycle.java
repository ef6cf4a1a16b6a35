package io.varve.metadata.controller;

import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.Registration;
import io.varve.metadata.Controller.RegistrationStatus;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.BrokersFenced;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides broker registrations and fencing from the cluster's live incarnations (Pekko members Up
 * or WeaklyUp):
 *
 * <ul>
 *   <li>a registration from an incarnation that is not (yet) a live member is answered
 *       NOT_A_MEMBER_YET, and the node tries again;
 *   <li>a node id registered by another incarnation that is still live is a DUPLICATE: the new node
 *       must not start;
 *   <li>otherwise the registration is recorded (its broker epoch is the event's offset), after
 *       fencing the node id's previous incarnation if it was still unfenced, and leaderless
 *       partitions get leaders;
 *   <li>a registered, unfenced broker whose incarnation is no longer live is fenced, with the
 *       elections that follow ({@link Elections}).
 * </ul>
 *
 * Plain logic owned by the controller actor.
 */
final class BrokerLifecycle {
    private final Elections elections;

    BrokerLifecycle(Elections elections) {
        this.elections = elections;
    }

    Outcome<Registration> register(MetadataImage image, Set<String> liveIncarnations, RegisterBroker request) {
        int nodeId = request.broker().nodeId();
        if (!liveIncarnations.contains(request.incarnation())) {
            return new Outcome<>(
                    new Registration(
                            RegistrationStatus.NOT_A_MEMBER_YET,
                            -1L,
                            "the controller does not see " + request.incarnation() + " as a live member yet"),
                    List.of());
        }
        BrokerRegistration existing = image.registrations().get(nodeId);
        boolean sameIncarnation = existing != null && existing.incarnation().equals(request.incarnation());
        if (existing != null
                && !existing.fenced()
                && sameIncarnation
                && existing.broker().equals(request.broker())) {
            return new Outcome<>(
                    new Registration(RegistrationStatus.REGISTERED, existing.brokerEpoch(), null), List.of());
        }
        if (existing != null
                && !existing.fenced()
                && !sameIncarnation
                && liveIncarnations.contains(existing.incarnation())) {
            return new Outcome<>(
                    new Registration(
                            RegistrationStatus.DUPLICATE,
                            -1L,
                            "node id " + nodeId + " is in use by the live member " + existing.incarnation()
                                    + " (broker epoch " + existing.brokerEpoch() + ", listener "
                                    + existing.broker().host() + ":"
                                    + existing.broker().port() + ")"),
                    List.of());
        }
        List<ControllerEvent> events = new ArrayList<>();
        MetadataImage next = image;
        if (existing != null && !existing.fenced() && !sameIncarnation) {
            next = fence(next, Set.of(nodeId), events);
        }
        BrokerRegistered registered = new BrokerRegistered(request.broker(), request.incarnation());
        long brokerEpoch = next.offset() + 1;
        next = append(next, registered, events);
        appendAll(
                next,
                EventChunks.changed(
                        elections.electLeaderless(next, next.brokers().keySet())),
                events);
        return new Outcome<>(new Registration(RegistrationStatus.REGISTERED, brokerEpoch, null), events);
    }

    /** Fences every unfenced broker whose incarnation is not live; no events when there is none. */
    List<ControllerEvent> fenceGone(MetadataImage image, Set<String> liveIncarnations) {
        Set<Integer> gone = new TreeSet<>();
        for (BrokerRegistration registration : image.registrations().values()) {
            if (!registration.fenced() && !liveIncarnations.contains(registration.incarnation())) {
                gone.add(registration.nodeId());
            }
        }
        List<ControllerEvent> events = new ArrayList<>();
        if (!gone.isEmpty()) {
            fence(image, gone, events);
        }
        return events;
    }

    private MetadataImage fence(MetadataImage image, Set<Integer> nodeIds, List<ControllerEvent> events) {
        MetadataImage next = append(image, new BrokersFenced(List.copyOf(new TreeSet<>(nodeIds))), events);
        return appendAll(
                next,
                EventChunks.changed(elections.onBrokersRemoved(
                        image, nodeIds, next.brokers().keySet())),
                events);
    }

    private static MetadataImage append(MetadataImage image, ControllerEvent event, List<ControllerEvent> events) {
        events.add(event);
        return MetadataImageTransition.apply(image, event);
    }

    private static MetadataImage appendAll(
            MetadataImage image, List<ControllerEvent> more, List<ControllerEvent> events) {
        MetadataImage next = image;
        for (ControllerEvent event : more) {
            next = append(next, event, events);
        }
        return next;
    }
}
