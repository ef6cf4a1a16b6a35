package io.varve.txn.markers;

import io.varve.metadata.LocalOnly;
import io.varve.metadata.VarveSerializable;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * This node's end of the marker channel between nodes (Kafka's WriteTxnMarkers from a coordinator to
 * the brokers leading the transaction's partitions): a transaction coordinator on another node asks it
 * to write a marker to a partition led here, and it writes through this node's {@link
 * LocalMarkerWriter}, answering the leader's error. It registers itself with the receptionist and
 * feeds the receptionist's listing of every node's endpoint to this node's {@link ClusterMarkerWriter}.
 * One per node; it never blocks (the write completes on the partition's thread).
 */
public final class MarkerEndpoint {
    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "txn-markers");

    private MarkerEndpoint() {}

    public sealed interface Command {}

    /** Write one marker to {@code tp}, led on this node; answered with the leader's error. */
    public record WriteMarker(
            TopicPartition tp,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion,
            ActorRef<MarkerResult> replyTo)
            implements Command, VarveSerializable {}

    /** The answer to {@link WriteMarker}: {@code NONE} once the marker is replicated. */
    public record MarkerResult(Errors error) implements VarveSerializable {}

    private record Listed(Set<ActorRef<Command>> endpoints) implements Command, LocalOnly {}

    public static Behavior<Command> create(LocalMarkerWriter local, ClusterMarkerWriter cluster) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
            ActorRef<Receptionist.Listing> listings = context.messageAdapter(
                    Receptionist.Listing.class,
                    listing -> new Listed(Set.copyOf(listing.getServiceInstances(SERVICE_KEY))));
            context.getSystem().receptionist().tell(Receptionist.subscribe(SERVICE_KEY, listings));
            return Behaviors.receive(Command.class)
                    .onMessage(WriteMarker.class, write -> {
                        local.writeMarker(
                                        write.tp(),
                                        write.producerId(),
                                        write.producerEpoch(),
                                        write.coordinatorEpoch(),
                                        write.commit(),
                                        write.transactionVersion())
                                .whenComplete((error, failure) -> write.replyTo()
                                        .tell(new MarkerResult(failure != null ? Errors.REQUEST_TIMED_OUT : error)));
                        return Behaviors.same();
                    })
                    .onMessage(Listed.class, listed -> {
                        cluster.onListing(listed.endpoints());
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
