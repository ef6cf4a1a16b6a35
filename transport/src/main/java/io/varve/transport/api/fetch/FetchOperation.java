package io.varve.transport.api.fetch;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.internal.Ask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A Fetch's long poll (Kafka's DelayedFetch, without a purgatory): reads once; if fewer than {@code
 * minBytes} came back, no partition failed and {@code maxWaitMs} is positive, it sends {@code
 * AwaitData} to every partition (for data past what it has already seen) and, when one answers,
 * reads that partition again, until enough data or the deadline (a scheduler timer, so tests can
 * drive it with ManualTime), when it reads every partition once more. The answer is the latest read
 * of each partition, with the response's max bytes applied. One instance per request; state lives
 * in futures.
 *
 * <p>Only the partition that woke the fetch is read again: the others answered their {@code
 * AwaitData} with nothing yet, so their last read still stands (a new high watermark would have
 * woken them too). The woken partition is the actor that just appended, so its {@code Read} is
 * served on the thread already running it: with one record in flight, a produce wakes no other
 * storage thread.
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
        return reader.readEach(fetches)
                .thenCompose(this::untilSatisfied)
                .thenApply(reader::applyMaxBytes)
                .whenComplete((results, failure) -> timer.cancel());
    }

    private CompletionStage<List<PartitionResult>> untilSatisfied(List<PartitionResult> results) {
        if (deadline.isDone() || isSatisfied(results)) {
            return CompletableFuture.completedFuture(results);
        }
        return awaitData(results).thenCompose(woken -> {
            List<PartitionFetch> again = woken.isEmpty()
                    ? fetches
                    : fetches.stream()
                            .filter(fetch -> woken.contains(fetch.partition().topicPartition()))
                            .toList();
            return reader.readEach(again).thenCompose(fresh -> untilSatisfied(merge(results, fresh)));
        });
    }

    /** {@code results} with the partitions read again replaced by their new answers, in request order. */
    private static List<PartitionResult> merge(List<PartitionResult> results, List<PartitionResult> fresh) {
        if (fresh.size() == results.size()) {
            results.forEach(PartitionResult::release); // every partition was read again
            return fresh;
        }
        Map<TopicPartition, PartitionResult> byPartition = new HashMap<>();
        fresh.forEach(result -> byPartition.put(result.partition().topicPartition(), result));
        List<PartitionResult> merged = new ArrayList<>(results.size());
        for (PartitionResult result : results) {
            PartitionResult again = byPartition.get(result.partition().topicPartition());
            if (again == null) {
                merged.add(result);
            } else {
                result.release(); // superseded by the new read
                merged.add(again);
            }
        }
        return merged;
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

    /**
     * Completes with the partition that first has data past what {@code results} saw, or with no
     * partition at the deadline.
     */
    private CompletableFuture<Set<TopicPartition>> awaitData(List<PartitionResult> results) {
        CompletableFuture<Set<TopicPartition>> woken = new CompletableFuture<>();
        deadline.thenRun(() -> woken.complete(Set.of()));
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
                    .thenRun(() -> woken.complete(Set.of(tp))));
        }
        return woken;
    }
}
