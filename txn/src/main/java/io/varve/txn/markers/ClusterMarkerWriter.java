package io.varve.txn.markers;

import io.varve.metadata.Ask;
import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Writes markers to partition leaders wherever they are (Kafka's transaction marker channel): the
 * leader is looked up in this node's metadata image at every attempt, so a coordinator that retries
 * after a failover reaches the new leader. A partition led here is written through the {@link
 * LocalMarkerWriter}; one led by another node is sent to that node's {@link MarkerEndpoint} (found
 * through the receptionist by the leader's cluster address). A partition without a leader, or whose
 * leader's endpoint is not listed (yet, or any more), is {@code NOT_LEADER_OR_FOLLOWER}; an endpoint
 * that does not answer is {@code REQUEST_TIMED_OUT}: both are retried by the coordinator until the
 * marker is written. Thread-safe: coordinators call it from their threads, the endpoint feeds it
 * listings.
 */
public final class ClusterMarkerWriter implements MarkerWriter {
    private static final Duration LEADER_CHECK = Duration.ofMillis(250);

    private final int nodeId;
    private final MetadataCache metadata;
    private final LocalMarkerWriter local;
    private final Scheduler scheduler;
    private final Duration timeout;
    private final Map<String, ActorRef<MarkerEndpoint.Command>> endpoints = new ConcurrentHashMap<>();

    public ClusterMarkerWriter(
            int nodeId, MetadataCache metadata, LocalMarkerWriter local, Scheduler scheduler, Duration timeout) {
        this.nodeId = nodeId;
        this.metadata = metadata;
        this.local = local;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    /** The receptionist's current endpoints (every node's), keyed here by their cluster address. */
    void onListing(Set<ActorRef<MarkerEndpoint.Command>> listed) {
        Map<String, ActorRef<MarkerEndpoint.Command>> byAddress = new HashMap<>();
        listed.forEach(ref -> byAddress.put(ref.path().address().toString(), ref));
        endpoints.keySet().retainAll(byAddress.keySet());
        endpoints.putAll(byAddress);
    }

    @Override
    public CompletionStage<Errors> writeMarker(
            TopicPartition tp,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion) {
        MetadataImage image = metadata.image();
        Optional<PartitionRegistration> partition = image.partition(tp);
        if (partition.isEmpty() || partition.get().leader() == nodeId) {
            // a deleted topic is answered there (UNKNOWN_TOPIC_OR_PARTITION); a leader here writes it
            return local.writeMarker(tp, producerId, producerEpoch, coordinatorEpoch, commit, transactionVersion);
        }
        int leader = partition.get().leader();
        ActorRef<MarkerEndpoint.Command> endpoint = endpointOf(image, leader);
        if (endpoint == null) {
            return CompletableFuture.completedFuture(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        CompletableFuture<Errors> answer = Ask.<MarkerEndpoint.Command, MarkerEndpoint.MarkerResult>ask(
                        endpoint,
                        replyTo -> new MarkerEndpoint.WriteMarker(
                                tp, producerId, producerEpoch, coordinatorEpoch, commit, transactionVersion, replyTo),
                        timeout.plusSeconds(2),
                        scheduler)
                .handle((result, failure) -> failure != null ? Errors.REQUEST_TIMED_OUT : result.error());
        watchLeader(tp, leader, answer);
        return answer;
    }

    /**
     * Ends the wait for a leader that lost its leadership or its node (a dead node never answers, and
     * its marker would wait for the whole request timeout): {@code NOT_LEADER_OR_FOLLOWER}, so the
     * coordinator sends the marker again to the new leader at once.
     */
    private void watchLeader(TopicPartition tp, int leader, CompletableFuture<Errors> answer) {
        if (answer.isDone()) {
            return;
        }
        MetadataImage image = metadata.image();
        Optional<PartitionRegistration> partition = image.partition(tp);
        if (partition.isEmpty() || partition.get().leader() != leader || endpointOf(image, leader) == null) {
            answer.complete(Errors.NOT_LEADER_OR_FOLLOWER);
            return;
        }
        scheduler.scheduleOnce(LEADER_CHECK, () -> watchLeader(tp, leader, answer), Ask.INLINE);
    }

    /** The endpoint of live broker {@code leader}, or null (no leader, unknown or unlisted node). */
    private ActorRef<MarkerEndpoint.Command> endpointOf(MetadataImage image, int leader) {
        if (leader < 0) {
            return null;
        }
        BrokerRegistration registration = image.registrations().get(leader);
        return registration == null || registration.fenced() ? null : endpoints.get(registration.memberAddress());
    }
}
