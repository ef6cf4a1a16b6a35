package io.varve.transport.api.fetch;

import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.LogSlice;
import io.varve.transport.internal.LeaderHint;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * One partition's part of a Fetch answer: an error, or a slice of its log with the offsets a
 * consumer needs. {@code slice} is null on error; {@code leaderHint} is set for NOT_LEADER_OR_FOLLOWER.
 */
record PartitionResult(
        PartitionFetch fetch,
        Errors error,
        LogSlice slice,
        long highWatermark,
        long lastStableOffset,
        long logStartOffset,
        List<AbortedTxn> abortedTransactions,
        LeaderHint leaderHint) {

    static PartitionResult failed(PartitionFetch fetch, Errors error) {
        return failed(fetch, error, LeaderHint.NONE);
    }

    static PartitionResult failed(PartitionFetch fetch, Errors error, LeaderHint hint) {
        return new PartitionResult(fetch, error, null, -1L, -1L, -1L, List.of(), hint);
    }

    TopicIdPartition partition() {
        return fetch.partition();
    }

    boolean hasError() {
        return error != Errors.NONE;
    }

    int recordBytes() {
        return slice == null ? 0 : slice.length();
    }

    /** Gives back the segment file the records hold, if any: this answer will not be sent. */
    void release() {
        if (slice != null) {
            slice.release();
        }
    }

    /**
     * The same answer with only the first {@code length} bytes of its records (the rest did not fit
     * the response's max bytes): as in Kafka, the cut may fall inside a batch, whose partial tail the
     * client discards and fetches again. The cut keeps the records' segment file, for its send.
     */
    PartitionResult withRecordsUpTo(int length) {
        if (length >= recordBytes()) {
            return this;
        }
        if (length <= 0) {
            return withoutRecords();
        }
        ByteBuffer bytes =
                slice.hasBytes() ? slice.bytes().duplicate().limit(slice.bytes().position() + length) : null;
        LogSlice cut = new LogSlice(slice.file(), slice.position(), length, slice.firstBatchOffset(), bytes);
        return new PartitionResult(
                fetch, error, cut, highWatermark, lastStableOffset, logStartOffset, abortedTransactions, leaderHint);
    }

    /**
     * The same answer with its records left out (they did not fit the response's max bytes); the
     * records' segment file is released.
     */
    PartitionResult withoutRecords() {
        slice.release();
        LogSlice empty = LogSlice.empty(slice.position(), fetch.fetchOffset());
        return new PartitionResult(
                fetch, error, empty, highWatermark, lastStableOffset, logStartOffset, List.of(), leaderHint);
    }
}
