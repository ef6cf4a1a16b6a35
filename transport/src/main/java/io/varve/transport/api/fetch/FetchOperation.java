package io.varve.transport.api.fetch;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.internal.Ask;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A Fetch's long poll (Kafka's DelayedFetch, without a purgatory): reads once; if fewer than {@code
 * minBytes} came back, no partition failed and {@code maxWaitMs} is positive, it sends {@code
 * AwaitData} to every partition (for data past what it has already seen) and reads again when one
 * answers, until enough data or the deadline (a scheduler timer, so tests can drive it with
 * ManualTime). The last read is the answer. One instance per request; state lives in futures.
 */
final class FetchOperation {
    private final BrokerServices services;
    private final FetchReader reader;
    private final List<PartitionFetch> fetches;
    private final int minBytes;
    private final int maxWaitMs;
    private final CompletableFuture<Void> deadline = new CompletableFuture<>();

    FetchOperation(
            BrokerServices services, FetchReader reader, List<PartitionFetch> fetches, int minBytes, int maxWaitMs) {
        this.services = services;
        this.reader = reader;
        this.fetches = fetches;
        this.minBytes = minBytes;
        this.maxWaitMs = maxWaitMs;
    }

    CompletionStage<List<PartitionResult>> run() {
        if (maxWaitMs <= 0 || fetches.isEmpty()) {
            deadline.complete(null);
            return reader.read(fetches);
        }
        Cancellable timer = services.scheduler()
                .scheduleOnce(Duration.ofMillis(maxWaitMs), () -> deadline.complete(null), Ask.INLINE);
        return round().whenComplete((results, failure) -> timer.cancel());
    }

    private CompletionStage<List<PartitionResult>> round() {
        return reader.read(fetches).thenCompose(results -> {
            if (deadline.isDone() || isSatisfied(results)) {
                return CompletableFuture.completedFuture(results);
            }
            return awaitData(results).thenCompose(woken -> round());
        });
    }

    private boolean isSatisfied(List<PartitionResult> results) {
        long bytes = 0;
        for (PartitionResult result : results) {
            if (result.hasError()) {
                return true;
            }
            bytes += result.recordBytes();
        }
        return bytes >= minBytes;
    }

    /** Completes when any partition has data past what {@code results} saw, or at the deadline. */
    private CompletableFuture<Void> awaitData(List<PartitionResult> results) {
        CompletableFuture<Void> woken = new CompletableFuture<>();
        deadline.thenRun(() -> woken.complete(null));
        for (PartitionResult result : results) {
            TopicPartition tp = result.partition().topicPartition();
            long seen = reader.readCommitted() ? result.lastStableOffset() : result.highWatermark();
            long awaitOffset = Math.max(result.fetch().fetchOffset(), seen);
            services.partitions().lookup(tp).ifPresent(actor -> Ask.ask(
                            actor,
                            (ActorRef<PartitionActor.DataAvailable> replyTo) ->
                                    new PartitionActor.AwaitData(awaitOffset, reader.readCommitted(), replyTo),
                            Duration.ofMillis(maxWaitMs),
                            services.scheduler())
                    .thenRun(() -> woken.complete(null)));
        }
        return woken;
    }
}
