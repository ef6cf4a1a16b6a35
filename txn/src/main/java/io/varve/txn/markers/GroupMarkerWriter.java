package io.varve.txn.markers;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.Errors;

/**
 * How a transaction coordinator ends a transaction's offsets in a consumer group: commit makes the
 * offsets the producer committed in the transaction visible, abort discards them (Kafka writes its
 * marker into the group's {@code __consumer_offsets} partition). Implemented by the node over the
 * group coordinators (the txn module does not see the group module). Thread-safe.
 */
public interface GroupMarkerWriter {

    /** No groups: every marker is accepted at once. */
    GroupMarkerWriter NONE =
            (groupId, producerId, producerEpoch, commit) -> CompletableFuture.completedFuture(Errors.NONE);

    /**
     * Completes with {@code NONE} once the group has applied the marker, never exceptionally: an
     * unreachable group coordinator is {@code COORDINATOR_NOT_AVAILABLE} (retried).
     */
    CompletionStage<Errors> writeMarker(String groupId, long producerId, short producerEpoch, boolean commit);
}
