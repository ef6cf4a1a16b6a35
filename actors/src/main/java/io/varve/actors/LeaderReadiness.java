package io.varve.actors;

import io.varve.metadata.Ask;
import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.partition.PartitionReadiness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Whether partitions are ready at their leaders across the cluster: once this node's metadata shows
 * every partition with a leader, the partitions this node leads are awaited locally and the others
 * are asked of their leader's {@link PartitionReadiness} endpoint (found through the receptionist by
 * the leader's cluster address). Thread-safe: handlers call it from network threads; the endpoint
 * actor feeds it the receptionist's listings.
 */
final class LeaderReadiness {
    private final int nodeId;
    private final MetadataCache metadata;
    private static final Duration ENDPOINT_RETRY = Duration.ofMillis(100);

    private final Scheduler scheduler;
    private final Map<String, ActorRef<PartitionReadiness.Command>> endpoints = new ConcurrentHashMap<>();
    private final List<ImageWaiter> imageWaiters = new ArrayList<>();

    private record ImageWaiter(Set<TopicPartition> partitions, CompletableFuture<MetadataImage> done) {}

    LeaderReadiness(int nodeId, MetadataCache metadata, Scheduler scheduler) {
        this.nodeId = nodeId;
        this.metadata = metadata;
        this.scheduler = scheduler;
        metadata.subscribe(this::onImage);
    }

    /** The receptionist's current endpoints, by their cluster address. */
    void onListing(Set<ActorRef<PartitionReadiness.Command>> listed) {
        Map<String, ActorRef<PartitionReadiness.Command>> byAddress = new HashMap<>();
        listed.forEach(ref -> byAddress.put(ref.path().address().toString(), ref));
        endpoints.keySet().retainAll(byAddress.keySet());
        endpoints.putAll(byAddress);
    }

    /**
     * Completes true once every partition is hosted at its leader; {@code local} awaits the ones this
     * node leads.
     */
    CompletionStage<Boolean> await(
            Collection<TopicPartition> tps,
            Duration timeout,
            BiFunction<Collection<TopicPartition>, Duration, CompletionStage<Boolean>> local) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return imageWith(Set.copyOf(tps), timeout).thenCompose(image -> {
            if (image == null) {
                return CompletableFuture.completedFuture(false);
            }
            Duration remaining = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
            for (TopicPartition tp : tps) {
                byLeader.computeIfAbsent(image.partition(tp).orElseThrow().leader(), l -> new ArrayList<>())
                        .add(tp);
            }
            List<CompletableFuture<Boolean>> answers = new ArrayList<>();
            byLeader.forEach((leader, partitions) -> answers.add((leader == nodeId
                            ? local.apply(partitions, remaining)
                            : remote(image, leader, partitions, remaining))
                    .toCompletableFuture()));
            return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0]))
                    .thenApply(done -> answers.stream().allMatch(CompletableFuture::join));
        });
    }

    private CompletionStage<Boolean> remote(
            MetadataImage image, int leader, List<TopicPartition> partitions, Duration timeout) {
        BrokerRegistration registration = image.registrations().get(leader);
        ActorRef<PartitionReadiness.Command> endpoint =
                registration == null ? null : endpoints.get(registration.memberAddress());
        if (timeout.isZero()) {
            return CompletableFuture.completedFuture(false);
        }
        if (endpoint == null) {
            // the receptionist has not listed the leader's endpoint yet (its node registered a moment
            // ago: a topic created right after a node joined failed at once): look again shortly
            Duration pause = timeout.compareTo(ENDPOINT_RETRY) < 0 ? timeout : ENDPOINT_RETRY;
            return CompletableFuture.runAsync(
                            () -> {}, CompletableFuture.delayedExecutor(pause.toMillis(), TimeUnit.MILLISECONDS))
                    .thenCompose(later -> remote(metadata.image(), leader, partitions, timeout.minus(pause)));
        }
        return Ask.<PartitionReadiness.Command, PartitionReadiness.Hosted>ask(
                        endpoint,
                        replyTo -> new PartitionReadiness.AwaitHosted(
                                List.copyOf(partitions), timeout.toMillis(), replyTo),
                        timeout.plusSeconds(1),
                        scheduler)
                .handle((hosted, failure) -> failure == null && hosted.ready());
    }

    /** This node's image once it shows every partition with a leader; null after the timeout. */
    private CompletableFuture<MetadataImage> imageWith(Set<TopicPartition> tps, Duration timeout) {
        CompletableFuture<MetadataImage> done = new CompletableFuture<>();
        ImageWaiter waiter = new ImageWaiter(tps, done);
        synchronized (imageWaiters) {
            imageWaiters.add(waiter);
        }
        onImage(metadata.image());
        return done.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((image, failure) -> {
                    synchronized (imageWaiters) {
                        imageWaiters.remove(waiter);
                    }
                });
    }

    private void onImage(MetadataImage image) {
        List<ImageWaiter> ready = new ArrayList<>();
        synchronized (imageWaiters) {
            for (ImageWaiter waiter : imageWaiters) {
                if (waiter.partitions().stream().allMatch(tp -> hasLeader(image, tp))) {
                    ready.add(waiter);
                }
            }
        }
        ready.forEach(waiter -> waiter.done().complete(image));
    }

    private static boolean hasLeader(MetadataImage image, TopicPartition tp) {
        Optional<PartitionRegistration> registration = image.partition(tp);
        return registration.isPresent() && registration.get().leader() >= 0;
    }
}
