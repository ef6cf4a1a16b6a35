package io.varve.metadata.controller;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.VarveSerializable;
import io.varve.metadata.controller.ControllerEvent.ProducerIdsAllocated;
import java.util.Map;

/**
 * The controller's persistent state (and snapshot): the current metadata image and the first
 * producer id not yet handed out, and what is kept beside the image ({@link ClientMetadata}, the
 * partition moves in progress: {@link Reassignments}).
 * Immutable; {@link #apply} is the event handler. Registered subscribers are not part of it: nodes
 * register again after a controller restart.
 */
public record ControllerState(
        MetadataImage image, long nextProducerId, ClientMetadata clients, Reassignments reassignments)
        implements VarveSerializable {

    public ControllerState(MetadataImage image, long nextProducerId) {
        this(image, nextProducerId, ClientMetadata.EMPTY, Reassignments.NONE);
    }

    /** Before the first event: offset 0 (no event applied), no brokers, no topics. */
    public static ControllerState initial(String clusterId) {
        return new ControllerState(
                new MetadataImage(0L, clusterId, -1, Map.of(), Map.of(), Map.of(), Map.of(), Map.of()), 0L);
    }

    public ControllerState apply(ControllerEvent event) {
        long next = event instanceof ProducerIdsAllocated allocated
                ? allocated.firstProducerId() + allocated.size()
                : nextProducerId;
        ClientMetadata nextClients =
                event instanceof ControllerEvent.ClientEvent change ? clients.apply(change) : clients;
        return new ControllerState(
                MetadataImageTransition.apply(image, event), next, nextClients, reassignments.apply(event));
    }
}
