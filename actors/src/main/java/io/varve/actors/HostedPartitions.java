package io.varve.actors;

import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The node's registry of hosted partition actors, written by the {@link ReplicaManager} and read by
 * request handlers on any thread ({@link PartitionDirectory}). Waiters for partitions that are not
 * hosted yet are completed as the replica manager registers them; in a cluster ({@link
 * #useLeaders}) a wait covers each partition at its leader's node.
 */
final class HostedPartitions implements PartitionDirectory {
    private final Map<TopicPartition, ActorRef<PartitionActor.Command>> hosted = new ConcurrentHashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private volatile LeaderReadiness leaders;

    private record Waiter(Set<TopicPartition> partitions, CompletableFuture<Boolean> done) {}

    @Override
    public Optional<ActorRef<PartitionActor.Command>> lookup(TopicPartition tp) {
        return Optional.ofNullable(hosted.get(tp));
    }

    /** From now on {@link #awaitHosted} waits for each partition at its leader, across the cluster. */
    void useLeaders(LeaderReadiness readiness) {
        this.leaders = readiness;
    }

    @Override
    public CompletionStage<Boolean> awaitHosted(Collection<TopicPartition> tps, Duration timeout) {
        LeaderReadiness readiness = leaders;
        return readiness == null ? awaitLocal(tps, timeout) : readiness.await(tps, timeout, this::awaitLocal);
    }

    /** Completes true once every partition is hosted on this node, false after {@code timeout}. */
    CompletionStage<Boolean> awaitLocal(Collection<TopicPartition> tps, Duration timeout) {
        Set<TopicPartition> wanted = Set.copyOf(tps);
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        synchronized (waiters) {
            if (hosted.keySet().containsAll(wanted)) {
                return CompletableFuture.completedFuture(true);
            }
            waiters.add(new Waiter(wanted, done));
        }
        return done.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ok, e) -> forget(done));
    }

    private void forget(CompletableFuture<Boolean> done) {
        synchronized (waiters) {
            waiters.removeIf(w -> w.done() == done);
        }
    }

    void register(TopicPartition tp, ActorRef<PartitionActor.Command> ref) {
        hosted.put(tp, ref);
        List<Waiter> ready = new ArrayList<>();
        synchronized (waiters) {
            for (Waiter waiter : waiters) {
                if (hosted.keySet().containsAll(waiter.partitions())) {
                    ready.add(waiter);
                }
            }
        }
        ready.forEach(w -> w.done().complete(true));
    }

    void unregister(TopicPartition tp) {
        hosted.remove(tp);
    }

    Map<TopicPartition, ActorRef<PartitionActor.Command>> snapshot() {
        return Map.copyOf(hosted);
    }
}
