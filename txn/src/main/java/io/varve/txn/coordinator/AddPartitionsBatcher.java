package io.varve.txn.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Gathers the partition leaders' adds of one node into as few coordinator requests as it can, as
 * Kafka's {@code AddPartitionsToTxnManager} does: a transactional id has at most one add in flight;
 * the partitions asked for meanwhile (a producer's Produce request reaches all its partitions at
 * once, each asking for itself) wait and go together in the next one. Each add is a journal write of
 * the coordinator, so a transaction over six partitions costs two writes instead of six. The first
 * add of a quiet id is sent from {@code executor}, not from the leader's actor, so the partitions of
 * the same request that ask in the meantime usually join it: then one write.
 *
 * <p>Only partitions of the same producer id and epoch share a request; others wait for a later
 * one. Thread-safe: the leaders call {@link #add} from their actors, the answers arrive on any
 * thread; the state is guarded by this object's lock and no request is sent while holding it.
 */
final class AddPartitionsBatcher {
    /** Sends one add of {@code partitions} to the coordinator of {@code transactionalId}. */
    interface Sender {
        CompletionStage<Map<TopicPartition, Errors>> send(
                String transactionalId, long producerId, short producerEpoch, List<TopicPartition> partitions);
    }

    private record Waiting(long producerId, short producerEpoch, TopicPartition tp, CompletableFuture<Errors> answer) {}

    private record Batch(String transactionalId, long producerId, short producerEpoch, List<Waiting> members) {}

    private final Sender sender;
    private final Executor executor;
    /** Per transactional id with an add in flight or about to be sent: the partitions waiting for it. */
    private final Map<String, List<Waiting>> inFlight = new HashMap<>();

    AddPartitionsBatcher(Sender sender, Executor executor) {
        this.sender = sender;
        this.executor = executor;
    }

    /** Adds {@code tp} to the producer's transaction; completes with the coordinator's answer for it. */
    CompletionStage<Errors> add(String transactionalId, long producerId, short producerEpoch, TopicPartition tp) {
        Waiting waiting = new Waiting(producerId, producerEpoch, tp, new CompletableFuture<>());
        synchronized (this) {
            List<Waiting> queue = inFlight.get(transactionalId);
            if (queue != null) {
                queue.add(waiting);
                return waiting.answer();
            }
            inFlight.put(transactionalId, new ArrayList<>(List.of(waiting)));
        }
        executor.execute(() -> sendNext(transactionalId));
        return waiting.answer();
    }

    private void send(Batch batch) {
        List<TopicPartition> partitions = new ArrayList<>();
        batch.members().forEach(member -> {
            if (!partitions.contains(member.tp())) {
                partitions.add(member.tp());
            }
        });
        CompletionStage<Map<TopicPartition, Errors>> answer;
        try {
            answer = sender.send(batch.transactionalId(), batch.producerId(), batch.producerEpoch(), partitions);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((errors, failure) -> {
            for (Waiting member : batch.members()) {
                member.answer()
                        .complete(
                                failure != null
                                        ? Errors.COORDINATOR_NOT_AVAILABLE
                                        : errors.getOrDefault(member.tp(), Errors.UNKNOWN_SERVER_ERROR));
            }
            sendNext(batch.transactionalId());
        });
    }

    private void sendNext(String transactionalId) {
        Batch next = next(transactionalId);
        if (next != null) {
            send(next);
        }
    }

    /** The next request for {@code transactionalId}: the waiting partitions of the oldest one's producer. */
    private synchronized Batch next(String transactionalId) {
        List<Waiting> queue = inFlight.get(transactionalId);
        if (queue == null || queue.isEmpty()) {
            inFlight.remove(transactionalId);
            return null;
        }
        Waiting first = queue.get(0);
        List<Waiting> members = new ArrayList<>();
        List<Waiting> rest = new ArrayList<>();
        for (Waiting waiting : queue) {
            boolean same =
                    waiting.producerId() == first.producerId() && waiting.producerEpoch() == first.producerEpoch();
            (same ? members : rest).add(waiting);
        }
        inFlight.put(transactionalId, rest);
        return new Batch(transactionalId, first.producerId(), first.producerEpoch(), List.copyOf(members));
    }
}
