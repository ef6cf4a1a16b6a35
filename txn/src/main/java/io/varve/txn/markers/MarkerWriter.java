package io.varve.txn.markers;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * How a transaction coordinator writes a commit or abort marker to a partition's leader (Kafka's
 * WriteTxnMarkers from coordinator to broker). Thread-safe; implemented per node.
 */
public interface MarkerWriter {

    /**
     * Writes the marker; completes with the leader's error ({@code NONE} once the marker is
     * replicated), never exceptionally: a leader that does not answer is {@code REQUEST_TIMED_OUT}.
     * A partition of a deleted topic is {@code UNKNOWN_TOPIC_OR_PARTITION}.
     */
    CompletionStage<Errors> writeMarker(
            TopicPartition tp,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion);
}
