package io.varve.storage.cleaner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.kafka.common.record.internal.MemoryRecords.RecordFilter;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Kafka's retention rules for one cleaning, applied by kafka-clients' {@code MemoryRecords.filterTo},
 * which copies a batch whose records all stay byte for byte and otherwise rebuilds it with the same
 * base and last offset, producer id, epoch and base sequence, leader epoch, compression, timestamps
 * and attributes, setting the delete horizon ({@code now + delete.retention.ms}) on a batch that keeps
 * a tombstone or a marker of an emptied transaction the first time it is cleaned.
 *
 * <p>A batch: dropped whole if it belongs to an aborted transaction (a marker: once its transaction is
 * gone and its delete horizon has passed); kept, even empty, if it is an active producer's last batch
 * (its sequence numbers and epoch must survive) or ends exactly at the cleaning's upper bound (so the
 * log's offsets stay known); otherwise dropped when it ends up empty.
 *
 * <p>A record: kept when past what the offset map covers (a later pass cleans it), or when it holds the
 * latest offset of its key (its bit in {@link LatestOffsets} where that covers it, else a map lookup) and has
 * a value, or is a tombstone whose batch has no delete horizon yet or
 * one still in the future. Keyless records are dropped (a compacted topic refuses them now; older data
 * may hold some). Control records of a kept marker stay.
 *
 * <p>Not thread-safe: one per cleaning, on the cleaner thread.
 */
final class CleanerRecordFilter extends RecordFilter {
    private final KeyOffsetMap map;
    private final LatestOffsets latest;
    private final CleanedTransactions transactions;
    private final Map<Long, LastProducerRecord> activeProducers;
    private final long upperBoundOffset;
    private final CleanerStats stats;
    private boolean discardBatchRecords;

    CleanerRecordFilter(
            long currentTime,
            long deleteRetentionMs,
            KeyOffsetMap map,
            LatestOffsets latest,
            CleanedTransactions transactions,
            Map<Long, LastProducerRecord> activeProducers,
            long upperBoundOffset,
            CleanerStats stats) {
        super(currentTime, deleteRetentionMs);
        this.map = map;
        this.latest = latest;
        this.transactions = transactions;
        this.activeProducers = activeProducers;
        this.upperBoundOffset = upperBoundOffset;
        this.stats = stats;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean canDiscardBatch = canDiscard(batch);
        if (batch.isControlBatch()) {
            discardBatchRecords = canDiscardBatch
                    && batch.deleteHorizonMs().isPresent()
                    && batch.deleteHorizonMs().getAsLong() <= currentTime;
        } else {
            discardBatchRecords = canDiscardBatch;
        }
        BatchRetention retention;
        if (batch.hasProducerId() && isLastBatchOfActiveProducer(batch)) {
            retention = BatchRetention.RETAIN_EMPTY;
        } else if (batch.nextOffset() == upperBoundOffset) {
            retention = BatchRetention.RETAIN_EMPTY;
        } else if (discardBatchRecords) {
            retention = BatchRetention.DELETE;
        } else {
            retention = BatchRetention.DELETE_EMPTY;
        }
        return new BatchRetentionResult(retention, canDiscardBatch && batch.isControlBatch());
    }

    private boolean canDiscard(RecordBatch batch) {
        try {
            return batch.isControlBatch() ? transactions.onControlBatchRead(batch) : transactions.onBatchRead(batch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean isLastBatchOfActiveProducer(RecordBatch batch) {
        LastProducerRecord last = activeProducers.get(batch.producerId());
        if (last == null) {
            return false;
        }
        return last.hasLastDataOffset()
                ? batch.lastOffset() == last.lastDataOffset()
                : batch.isControlBatch() && batch.producerEpoch() == last.producerEpoch();
    }

    /**
     * Whether {@code batch} goes whole without its records being read: a plain data batch (not a marker, not
     * transactional, format v2) wholly inside what {@link LatestOffsets} covers, none of whose offsets holds
     * its key's latest value, and which no rule keeps even empty (an active producer's last batch, the batch
     * ending at the cleaning's upper bound). Its records would all be dropped by {@link #shouldRetainRecord}
     * and the emptied batch with them, so the result is the same. No side effect: call {@link #dropUnread}
     * when the batches before it have been filtered.
     */
    boolean dropsUnread(RecordBatch batch) {
        if (batch.magic() < RecordBatch.MAGIC_VALUE_V2 || batch.isControlBatch() || batch.isTransactional()) {
            return false;
        }
        long base = batch.baseOffset();
        long last = batch.lastOffset();
        if (last > map.latestOffset() || !latest.covers(base) || !latest.covers(last)) {
            return false;
        }
        if (batch.nextOffset() == upperBoundOffset || (batch.hasProducerId() && isLastBatchOfActiveProducer(batch))) {
            return false;
        }
        return !latest.anyLatestIn(base, last);
    }

    /** Drops a batch {@link #dropsUnread} accepted, keeping the walk through the transactions in step. */
    void dropUnread(RecordBatch batch) {
        transactions.onBatchRead(batch); // not transactional: only the aborted transactions reached start
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        if (discardBatchRecords) {
            return false;
        }
        if (batch.isControlBatch()) {
            return true;
        }
        long offset = record.offset();
        if (offset > map.latestOffset()) {
            return true;
        }
        boolean covered = latest.covers(offset);
        if (!record.hasKey()) {
            if (!covered) {
                stats.keylessRecords++; // the map pass counted those it covers
            }
            return false;
        }
        boolean latestForKey = covered ? latest.isLatest(offset) : offset >= map.get(record.key());
        boolean keepTombstone = batch.deleteHorizonMs().isEmpty()
                || currentTime < batch.deleteHorizonMs().getAsLong();
        return latestForKey && (record.hasValue() || keepTombstone);
    }
}
