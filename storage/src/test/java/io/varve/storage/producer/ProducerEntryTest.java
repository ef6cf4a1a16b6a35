package io.varve.storage.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class ProducerEntryTest {

    @Test
    void emptyEntryHasNoSequenceNorOffset() {
        ProducerEntry entry = ProducerEntry.empty(7L);

        assertEquals(RecordBatch.NO_PRODUCER_EPOCH, entry.producerEpoch());
        assertEquals(RecordBatch.NO_SEQUENCE, entry.firstSeq());
        assertEquals(RecordBatch.NO_SEQUENCE, entry.lastSeq());
        assertEquals(-1L, entry.firstOffset());
        assertEquals(-1L, entry.lastOffset());
        assertEquals(0, entry.lastOffsetDelta());
        assertEquals(OptionalLong.empty(), entry.currentTxnFirstOffset());
    }

    @Test
    void earlierBatchesGoInFrontWhileTheirSequencesLeadIntoTheRetainedOnesAndAtMostFiveAreKept() {
        ProducerEntry fromSnapshot = ProducerEntry.empty(7L).withBatch((short) 0, batch(6, 60));
        List<BatchMetadata> earlier =
                List.of(batch(0, 0), batch(1, 10), batch(2, 20), batch(3, 30), batch(4, 40), batch(5, 50));

        assertEquals(
                List.of(batch(2, 20), batch(3, 30), batch(4, 40), batch(5, 50), batch(6, 60)),
                fromSnapshot.withEarlierBatches(earlier).batchMetadata());
        // a gap in the sequences (4 missing) ends the run: 3 and below are not taken
        assertEquals(
                List.of(batch(5, 50), batch(6, 60)),
                fromSnapshot
                        .withEarlierBatches(List.of(batch(3, 30), batch(5, 50)))
                        .batchMetadata());
        assertEquals(
                Optional.of(batch(5, 50)),
                fromSnapshot.withEarlierBatches(earlier).findDuplicateBatch((short) 0, 5, 5));
    }

    @Test
    void retainsTheLastFiveBatchesOldestFirst() {
        ProducerEntry entry = ProducerEntry.empty(7L);
        for (int seq = 0; seq < 7; seq++) {
            entry = entry.withBatch((short) 0, batch(seq, 10L * seq));
        }

        assertEquals(
                List.of(batch(2, 20), batch(3, 30), batch(4, 40), batch(5, 50), batch(6, 60)), entry.batchMetadata());
        assertEquals(2, entry.firstSeq());
        assertEquals(6, entry.lastSeq());
        assertEquals(20L, entry.firstOffset());
        assertEquals(60L, entry.lastOffset());
        assertEquals(600L, entry.lastTimestamp());
    }

    @Test
    void newEpochForgetsBatchesOfThePreviousEpoch() {
        ProducerEntry entry =
                ProducerEntry.empty(7L).withBatch((short) 0, batch(0, 0)).withBatch((short) 1, batch(0, 10));

        assertEquals(1, entry.producerEpoch());
        assertEquals(List.of(batch(0, 10)), entry.batchMetadata());
        assertEquals(Optional.empty(), entry.findDuplicateBatch((short) 0, 0, 0));
        assertEquals(Optional.of(batch(0, 10)), entry.findDuplicateBatch((short) 1, 0, 0));
    }

    @Test
    void duplicateNeedsSameFirstAndLastSequence() {
        BatchMetadata batch = new BatchMetadata(3, 5, 100, 102, 1L);
        ProducerEntry entry = ProducerEntry.empty(7L).withBatch((short) 0, batch);

        assertEquals(Optional.of(batch), entry.findDuplicateBatch((short) 0, 3, 5));
        assertEquals(Optional.empty(), entry.findDuplicateBatch((short) 0, 3, 4));
        assertEquals(Optional.empty(), entry.findDuplicateBatch((short) 0, 4, 5));
    }

    @Test
    void rejectsMoreThanFiveBatches() {
        List<BatchMetadata> six = List.of(batch(0, 0), batch(1, 1), batch(2, 2), batch(3, 3), batch(4, 4), batch(5, 5));

        assertThrows(
                IllegalArgumentException.class,
                () -> new ProducerEntry(7L, (short) 0, six, 0L, -1, OptionalLong.empty()));
    }

    @Test
    void rebuildsFirstSequenceAcrossTheWrap() {
        assertEquals(new BatchMetadata(10, 14, 96, 100, 5L), BatchMetadata.ofLast(14, 100, 4, 5L));
        assertEquals(new BatchMetadata(Integer.MAX_VALUE - 1, 2, 96, 100, 5L), BatchMetadata.ofLast(2, 100, 4, 5L));
        assertEquals(new BatchMetadata(0, 4, 96, 100, 5L), BatchMetadata.ofLast(4, 100, 4, 5L));
    }

    private static BatchMetadata batch(int seq, long offset) {
        return new BatchMetadata(seq, seq, offset, offset, offset * 10);
    }
}
