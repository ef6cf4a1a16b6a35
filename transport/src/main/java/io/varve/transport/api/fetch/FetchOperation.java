package io.varve.transport.api.fetch;

import io.varve.metadata.Ask;
import io.varve.transport.api.BrokerServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.Cancellable;

/**
 * A Fetch's long poll (Kafka's DelayedFetch, without a purgatory): reads once; if fewer than {@code
 * minBytes} came back, no partition failed and {@code maxWaitMs} is positive, it parks an {@code
 * AwaitData} on every partition (for data past what its read saw). A partition that gets such data
 * answers with the read itself — one message, no second {@code Read} — and only that partition's
 * answer changes: the others' reads still stand (a new high watermark would have woken them too).
 * If the answers so far are still below {@code minBytes}, the fetch parks again on the partition
 * that answered only; the others' waiters stay where they are. At the deadline (a scheduler timer, so
 * tests drive it with ManualTime) it reads every partition once more. The answer is the latest read
 * of each partition, with the response's max bytes applied.
 *
 * <p>When the fetch answers, it tells the partitions still holding its waiters through the {@code
 * fetchCompleted} flag they were given: they drop those waiters instead of reading for nobody, on
 * their next long poll or sweep. A late answer that still arrives gives its segment file back.
 *
 * <p>One instance per request. The woken partition's answer is handled on the thread of the actor
 * that just appended; the steps run one after another (each is started by the one before), so the
 * fields need no lock.
 */
final class FetchOperation {
    private final BrokerServices services;
    private final FetchReader reader;
    private final List<PartitionFetch> fetches;
    private final int minBytes;
    private final int maxWaitMs;
    private final CompletableFuture<Void> deadline = new CompletableFuture<>();
    private final CompletableFuture<Void> answered = new CompletableFuture<>();
    /** Given to the partitions with each long poll; holds only the two futures, not the reads. */
    private final BooleanSupplier completed = completedFlag(answered, deadline);
    /** The long polls parked and not yet answered, by partition. */
    private final Map<TopicPartition, CompletableFuture<PartitionResult>> parked = new LinkedHashMap<>();
    /** Partitions whose long poll went unanswered for the whole max wait: not parked again. */
    private final Set<TopicPartition> silent = new HashSet<>();
    /** The latest answer of each partition, in request order. */
    private List<PartitionResult> results;

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
            return reader.read(fetches);
        }
        Cancellable timer = services.scheduler()
                .scheduleOnce(Duration.ofMillis(maxWaitMs), () -> deadline.complete(null), Ask.INLINE);
        return reader.readEach(fetches)
                .thenCompose(first -> {
                    results = first;
                    return untilSatisfied();
                })
                .thenApply(reader::applyMaxBytes)
                .whenComplete((ignored, failure) -> {
                    timer.cancel();
                    onAnswered();
                });
    }

    /** Whether the fetch no longer waits for a partition: it answered, or its max wait passed. */
    private static BooleanSupplier completedFlag(CompletableFuture<Void> answered, CompletableFuture<Void> deadline) {
        return () -> answered.isDone() || deadline.isDone();
    }

    private CompletionStage<List<PartitionResult>> untilSatisfied() {
        if (isSatisfied(results)) {
            return CompletableFuture.completedFuture(results);
        }
        if (deadline.isDone()) {
            return readAllAgain();
        }
        for (PartitionResult result : results) {
            TopicPartition tp = result.partition().topicPartition();
            if (!parked.containsKey(tp) && !silent.contains(tp)) {
                parked.put(tp, reader.await(result, maxWaitMs, completed));
            }
        }
        List<CompletableFuture<?>> wakers = new ArrayList<>(parked.values());
        wakers.add(deadline);
        return CompletableFuture.anyOf(wakers.toArray(new CompletableFuture<?>[0]))
                .handle((ignored, failure) -> null)
                .thenCompose(woken -> {
                    takeAnswers();
                    return untilSatisfied();
                });
    }

    /** At the deadline, every partition is read once more (Kafka's DelayedFetch.onComplete). */
    private CompletionStage<List<PartitionResult>> readAllAgain() {
        return reader.readEach(fetches).thenApply(fresh -> {
            results.forEach(PartitionResult::release); // every partition was read again
            results = fresh;
            return fresh;
        });
    }

    /** Moves the answered long polls' reads into {@code results}, replacing the partitions' older reads. */
    private void takeAnswers() {
        var it = parked.entrySet().iterator();
        while (it.hasNext()) {
            var entry = it.next();
            CompletableFuture<PartitionResult> answer = entry.getValue();
            if (!answer.isDone()) {
                continue;
            }
            it.remove();
            if (answer.isCompletedExceptionally()) {
                silent.add(entry.getKey()); // no answer within the max wait: its last read stands
            } else {
                replace(answer.join());
            }
        }
    }

    private void replace(PartitionResult fresh) {
        List<PartitionResult> merged = new ArrayList<>(results.size());
        for (PartitionResult result : results) {
            if (result.partition().equals(fresh.partition())) {
                result.release(); // superseded by the partition's new read
                merged.add(fresh);
            } else {
                merged.add(result);
            }
        }
        results = merged;
    }

    /**
     * The fetch answered: partitions still holding its waiters see the flag and drop them; a read
     * one of them sent meanwhile is not part of the answer and gives its segment file back.
     */
    private void onAnswered() {
        answered.complete(null);
        parked.values().forEach(late -> late.thenAccept(PartitionResult::release));
        parked.clear();
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
}
