package io.varve.partition;

import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.storage.log.PartitionLog;
import java.util.Optional;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets on a leader's log, with Kafka's semantics for the special timestamps:
 *
 * <pre>
 *   -2 earliest          log start offset
 *   -4 earliest local    log start offset (no tiered storage: every segment is local, KIP-1005)
 *   -1 latest            high watermark (read_committed: last stable offset), current leader epoch
 *   -3 max timestamp     the record with the greatest timestamp (KIP-734)
 *   -5, -6 (tiered)      none: Varve has no remote storage
 *    t >= 0              the first record with a timestamp at or after t (KIP-33)
 * </pre>
 *
 * A record found at or past the fetchable end (not yet committed) is not answered, as Kafka filters
 * it. "None" is offset -1 and timestamp -1. The answer's leader epoch is the found batch's, else the
 * leader-epoch cache's for that offset. Stateless; called by the actor owning the log.
 */
final class OffsetLookup {
    private OffsetLookup() {}

    static ListOffsetsResponse lookup(PartitionLog log, long timestamp, long fetchableEnd, int leaderEpoch) {
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
                || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            long offset = log.logStartOffset();
            return found(log, RecordBatch.NO_TIMESTAMP, offset, epochOf(log, offset));
        }
        if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return found(log, RecordBatch.NO_TIMESTAMP, fetchableEnd, leaderEpoch);
        }
        if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            return fromLog(log, log.maxTimestampAndOffset(), fetchableEnd);
        }
        if (timestamp < 0) {
            return none(log);
        }
        return fromLog(log, log.offsetForTimestamp(timestamp), fetchableEnd);
    }

    private static ListOffsetsResponse fromLog(
            PartitionLog log, Optional<TimestampAndOffset> result, long fetchableEnd) {
        if (result.isEmpty() || result.get().offset >= fetchableEnd) {
            return none(log);
        }
        TimestampAndOffset found = result.get();
        int epoch = found.leaderEpoch.filter(e -> e >= 0).orElseGet(() -> epochOf(log, found.offset));
        return found(log, found.timestamp, found.offset, epoch);
    }

    private static int epochOf(PartitionLog log, long offset) {
        return log.leaderEpochCache().epochForOffset(offset).orElse(RecordBatch.NO_PARTITION_LEADER_EPOCH);
    }

    private static ListOffsetsResponse found(PartitionLog log, long timestamp, long offset, int leaderEpoch) {
        return new ListOffsetsResponse(log.topicPartition(), Errors.NONE, timestamp, offset, leaderEpoch);
    }

    private static ListOffsetsResponse none(PartitionLog log) {
        return new ListOffsetsResponse(
                log.topicPartition(),
                Errors.NONE,
                RecordBatch.NO_TIMESTAMP,
                -1L,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
    }
}
