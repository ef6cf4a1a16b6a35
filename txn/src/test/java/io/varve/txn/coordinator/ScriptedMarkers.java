package io.varve.txn.coordinator;

import io.varve.txn.markers.GroupMarkerWriter;
import io.varve.txn.markers.MarkerWriter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Partition leaders and group coordinators for entity tests: records every marker asked for (as
 * {@code "a-0 pid=1 epoch=2 coordinatorEpoch=1 COMMIT tv=0"}) and answers the scripted errors in
 * order, then {@code NONE}. A held target answers only once {@link #release} is called.
 */
final class ScriptedMarkers implements MarkerWriter, GroupMarkerWriter {
    final List<String> written = new CopyOnWriteArrayList<>();
    private final Map<String, Queue<Errors>> scripts = new HashMap<>();
    private final Map<String, CompletableFuture<Void>> held = new HashMap<>();

    /** The markers of {@code target} are not answered until {@link #release}. */
    synchronized ScriptedMarkers hold(String target) {
        held.put(target, new CompletableFuture<>());
        return this;
    }

    void release(String target) {
        CompletableFuture<Void> gate;
        synchronized (this) {
            gate = held.remove(target);
        }
        gate.complete(null);
    }

    private synchronized CompletableFuture<Void> gate(String target) {
        return held.getOrDefault(target, CompletableFuture.completedFuture(null));
    }

    synchronized ScriptedMarkers answer(String target, Errors... errors) {
        scripts.computeIfAbsent(target, t -> new ArrayDeque<>()).addAll(List.of(errors));
        return this;
    }

    private synchronized Errors next(String target) {
        Queue<Errors> script = scripts.get(target);
        return script == null || script.isEmpty() ? Errors.NONE : script.poll();
    }

    @Override
    public CompletionStage<Errors> writeMarker(
            TopicPartition tp, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, short tv) {
        written.add(tp + " pid=" + producerId + " epoch=" + producerEpoch + " coordinatorEpoch=" + coordinatorEpoch
                + " " + (commit ? "COMMIT" : "ABORT") + " tv=" + tv);
        return gate(tp.toString()).thenApply(released -> next(tp.toString()));
    }

    @Override
    public CompletionStage<Errors> writeMarker(String groupId, long producerId, short producerEpoch, boolean commit) {
        written.add("group " + groupId + " pid=" + producerId + " epoch=" + producerEpoch + " "
                + (commit ? "COMMIT" : "ABORT"));
        return CompletableFuture.completedFuture(next(groupId));
    }
}
