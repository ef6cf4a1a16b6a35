package io.varve.storage.producer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays the partition log for producer state tests: one table over a log directory {@code
 * orders-3}, a settable clock, and appends that assign offsets from a log end offset and commit the
 * way the log does (check, stage, commit, move the map end offset).
 */
final class ProducerLogFixture {

    static final long EXPIRATION_MS = 60_000L;

    final AtomicLong nowMs = new AtomicLong(1_000_000L);
    final Path logDir;
    ProducerStateTable table;
    long logEndOffset;

    ProducerLogFixture(Path tempDir) throws IOException {
        logDir = Files.createDirectories(tempDir.resolve("orders-3"));
        table = newTable();
    }

    ProducerStateTable newTable() {
        return new ProducerStateTable(logDir, EXPIRATION_MS, nowMs::get);
    }

    /** Checks a client batch of {@code recordCount} records and, if accepted, appends it. */
    ProducerCheck produce(long producerId, int producerEpoch, int baseSequence, int recordCount) {
        ProducerAppend append = table.startAppend();
        int lastSequence = lastSequence(baseSequence, recordCount);
        ProducerCheck check = append.check(producerId, (short) producerEpoch, baseSequence, lastSequence);
        if (check instanceof ProducerCheck.Accepted) {
            stage(append, producerId, producerEpoch, baseSequence, recordCount, false);
            commit(append);
        }
        return check;
    }

    /** Appends a batch without a check, as replay or a follower does, and returns its metadata. */
    BatchMetadata append(long producerId, int producerEpoch, int baseSequence, int recordCount) {
        ProducerAppend append = table.startAppend();
        BatchMetadata batch = stage(append, producerId, producerEpoch, baseSequence, recordCount, false);
        commit(append);
        return batch;
    }

    /** Stages a batch at the log end offset, which it advances. */
    BatchMetadata stage(
            ProducerAppend append,
            long producerId,
            int producerEpoch,
            int baseSequence,
            int recordCount,
            boolean isTransactional) {
        BatchMetadata batch = new BatchMetadata(
                baseSequence,
                lastSequence(baseSequence, recordCount),
                logEndOffset,
                logEndOffset + recordCount - 1,
                nowMs.get());
        append.stage(
                producerId,
                (short) producerEpoch,
                batch.firstSeq(),
                batch.lastSeq(),
                batch.firstOffset(),
                batch.lastOffset(),
                batch.timestamp(),
                isTransactional);
        logEndOffset += recordCount;
        return batch;
    }

    /** Appends a transactional batch without a check and returns its metadata. */
    BatchMetadata appendTransactional(long producerId, int producerEpoch, int baseSequence, int recordCount) {
        ProducerAppend append = table.startAppend();
        BatchMetadata batch = stage(append, producerId, producerEpoch, baseSequence, recordCount, true);
        commit(append);
        return batch;
    }

    /**
     * Writes a marker at the log end offset the way the log does: commit the append, then end the
     * transaction it completed (the returned one, if any).
     */
    java.util.Optional<CompletedTxn> marker(long producerId, int producerEpoch, int coordinatorEpoch, boolean abort) {
        ProducerAppend append = table.startAppend();
        java.util.Optional<CompletedTxn> ended = append.stageMarker(
                producerId, (short) producerEpoch, coordinatorEpoch, logEndOffset, nowMs.get(), abort);
        logEndOffset++;
        commit(append);
        ended.ifPresent(table::completeTxn);
        return ended;
    }

    void commit(ProducerAppend append) {
        table.commit(append);
        table.updateMapEndOffset(logEndOffset);
    }

    ProducerEntry entry(long producerId) {
        return table.entry(producerId).orElseThrow();
    }

    /** The last sequence of a batch, wrapping after {@link Integer#MAX_VALUE} as producers do. */
    static int lastSequence(int baseSequence, int recordCount) {
        long last = (long) baseSequence + recordCount - 1;
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }
}
