package io.varve.transport.testing;

import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionDirectory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A partition directory the test fills by hand. {@code awaitHosted} answers true at once when every
 * partition is registered, else it waits for the test to {@link #host} them.
 */
public final class FakePartitionDirectory implements PartitionDirectory {
    private final Map<TopicPartition, ActorRef<PartitionActor.Command>> actors = new ConcurrentHashMap<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

    private record Waiter(Collection<TopicPartition> tps, CompletableFuture<Boolean> hosted) {}

    public void host(TopicPartition tp, ActorRef<PartitionActor.Command> actor) {
        actors.put(tp, actor);
        waiters.removeIf(waiter -> {
            if (actors.keySet().containsAll(waiter.tps())) {
                waiter.hosted().complete(true);
                return true;
            }
            return false;
        });
    }

    /** Partitions someone waited for, in order of asking. */
    public List<Collection<TopicPartition>> awaited() {
        return waiters.stream().map(Waiter::tps).toList();
    }

    @Override
    public Optional<ActorRef<PartitionActor.Command>> lookup(TopicPartition tp) {
        return Optional.ofNullable(actors.get(tp));
    }

    @Override
    public CompletionStage<Boolean> awaitHosted(Collection<TopicPartition> tps, Duration timeout) {
        if (actors.keySet().containsAll(tps)) {
            return CompletableFuture.completedFuture(true);
        }
        CompletableFuture<Boolean> hosted = new CompletableFuture<>();
        waiters.add(new Waiter(List.copyOf(tps), hosted));
        return hosted;
    }
}
