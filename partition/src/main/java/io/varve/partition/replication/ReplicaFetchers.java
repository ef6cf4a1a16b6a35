package io.varve.partition.replication;

import io.varve.metadata.LocalOnly;
import io.varve.metadata.MetadataCache;
import io.varve.partition.PartitionActor;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * This node's replica fetchers (Kafka's ReplicaFetcherManager): one {@link ReplicaFetcher} per
 * leader node, each a thread fetching every partition this node follows from that leader. Followers
 * tell it what to fetch ({@link Follow}, again at every new leader or epoch) and when to stop ({@link
 * Unfollow}); a fetcher left without partitions stops. One actor per node, on the default dispatcher
 * (it only hands changes to the fetchers' queues).
 */
public final class ReplicaFetchers {
    private ReplicaFetchers() {}

    /** Local only: carries a partition actor's ref to hand to a thread. */
    public sealed interface Command extends LocalOnly {}

    /**
     * Fetch {@code tp} from {@code leaderId} at leader epoch {@code leaderEpoch}, from {@code
     * fetchOffset}, the follower's log end offset; {@code lastFetchedEpoch} is the epoch of its last
     * batch (-1: none) for the leader's divergence check.
     */
    public record Follow(
            TopicPartition tp,
            Uuid topicId,
            int leaderId,
            int leaderEpoch,
            long fetchOffset,
            int lastFetchedEpoch,
            ActorRef<PartitionActor.Command> partition)
            implements Command {}

    /** Stop fetching {@code tp}, if {@code partition} is still the one fetched for. */
    public record Unfollow(TopicPartition tp, ActorRef<PartitionActor.Command> partition) implements Command {}

    /** Stops every fetcher (node shutdown). */
    public record StopAll(ActorRef<Done> replyTo) implements Command {}

    public static Behavior<Command> create(int localNodeId, MetadataCache metadata, ReplicationSettings settings) {
        return Behaviors.setup(context -> new Fetchers(context, localNodeId, metadata, settings).behavior());
    }

    /** The fetchers by leader and which leader each partition is fetched from; confined to the actor. */
    private static final class Fetchers {
        private final ActorContext<Command> context;
        private final int localNodeId;
        private final MetadataCache metadata;
        private final ReplicationSettings settings;
        private final Map<Integer, ReplicaFetcher> byLeader = new HashMap<>();
        /** The node's follower throttle, shared by its fetchers. */
        private final ReplicationQuota followerQuota = new ReplicationQuota();

        private final Map<TopicPartition, Follow> following = new HashMap<>();

        Fetchers(ActorContext<Command> context, int localNodeId, MetadataCache metadata, ReplicationSettings settings) {
            this.context = context;
            this.localNodeId = localNodeId;
            this.metadata = metadata;
            this.settings = settings;
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessage(Follow.class, this::onFollow)
                    .onMessage(Unfollow.class, this::onUnfollow)
                    .onMessage(StopAll.class, this::onStopAll)
                    .onSignal(PostStop.class, signal -> stopAll())
                    .build();
        }

        private Behavior<Command> onFollow(Follow follow) {
            Follow previous = following.put(follow.tp(), follow);
            if (previous != null && previous.leaderId() != follow.leaderId()) {
                byLeader.get(previous.leaderId()).unfollow(follow.tp());
                maybeStop(previous.leaderId());
            }
            byLeader.computeIfAbsent(follow.leaderId(), this::startFetcher).follow(follow);
            return Behaviors.same();
        }

        private ReplicaFetcher startFetcher(int leaderId) {
            context.getLog().info("starting the replica fetcher of node {} from leader {}", localNodeId, leaderId);
            return ReplicaFetcher.start(
                    localNodeId,
                    leaderId,
                    metadata,
                    settings,
                    context.getSystem().scheduler(),
                    followerQuota);
        }

        private Behavior<Command> onUnfollow(Unfollow unfollow) {
            Follow current = following.get(unfollow.tp());
            // a late Unfollow of a stopped replica must not stop the fetching of its successor
            if (current != null && current.partition().equals(unfollow.partition())) {
                following.remove(unfollow.tp());
                byLeader.get(current.leaderId()).unfollow(unfollow.tp());
                maybeStop(current.leaderId());
            }
            return Behaviors.same();
        }

        private void maybeStop(int leaderId) {
            boolean used = following.values().stream().anyMatch(f -> f.leaderId() == leaderId);
            if (!used) {
                byLeader.remove(leaderId).stop();
                context.getLog().info("stopped the replica fetcher of node {} from leader {}", localNodeId, leaderId);
            }
        }

        private Behavior<Command> onStopAll(StopAll stop) {
            stopAll();
            stop.replyTo().tell(Done.getInstance());
            return Behaviors.same();
        }

        private Behavior<Command> stopAll() {
            byLeader.values().forEach(ReplicaFetcher::stop);
            byLeader.clear();
            following.clear();
            return Behaviors.same();
        }
    }
}
