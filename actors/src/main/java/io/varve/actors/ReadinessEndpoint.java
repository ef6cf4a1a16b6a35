package io.varve.actors;

import io.varve.metadata.LocalOnly;
import io.varve.partition.PartitionReadiness;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * This node's {@link PartitionReadiness} endpoint: answers other nodes whether partitions are hosted
 * here, and keeps {@link LeaderReadiness} up to date with the other nodes' endpoints (the
 * receptionist's listing). One per node; its own listing entry disappears when it stops.
 */
final class ReadinessEndpoint {
    private ReadinessEndpoint() {}

    private record Listed(Set<ActorRef<PartitionReadiness.Command>> endpoints) implements LocalOnly {}

    static Behavior<PartitionReadiness.Command> create(HostedPartitions hosted, LeaderReadiness readiness) {
        return Behaviors.<Object>setup(context -> {
                    ActorRef<PartitionReadiness.Command> self =
                            context.getSelf().narrow();
                    context.getSystem()
                            .receptionist()
                            .tell(Receptionist.register(PartitionReadiness.SERVICE_KEY, self));
                    ActorRef<Receptionist.Listing> listings = context.messageAdapter(
                            Receptionist.Listing.class,
                            listing -> new Listed(
                                    Set.copyOf(listing.getServiceInstances(PartitionReadiness.SERVICE_KEY))));
                    context.getSystem()
                            .receptionist()
                            .tell(Receptionist.subscribe(PartitionReadiness.SERVICE_KEY, listings));
                    return Behaviors.receive(Object.class)
                            .onMessage(PartitionReadiness.AwaitHosted.class, await -> {
                                hosted.awaitLocal(await.partitions(), Duration.ofMillis(await.timeoutMs()))
                                        .whenComplete((ready, failure) -> await.replyTo()
                                                .tell(new PartitionReadiness.Hosted(failure == null && ready)));
                                return Behaviors.same();
                            })
                            .onMessage(Listed.class, listed -> {
                                readiness.onListing(listed.endpoints());
                                return Behaviors.same();
                            })
                            .build();
                })
                .narrow();
    }
}
