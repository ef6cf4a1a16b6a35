package io.varve.storage.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerAppendTest {

    private static final long PID = 1000L;

    @TempDir
    Path tempDir;

    private ProducerLogFixture log;

    @BeforeEach
    void setUp() throws IOException {
        log = new ProducerLogFixture(tempDir);
    }

    @Test
    void acceptsFirstBatchOfUnknownProducerAtAnySequence() {
        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID, 3, 42, 2));

        ProducerEntry entry = log.entry(PID);
        assertEquals(3, entry.producerEpoch());
        assertEquals(List.of(new BatchMetadata(42, 43, 0, 1, log.nowMs.get())), entry.batchMetadata());
    }

    @Test
    void acceptsBatchesInSequence() {
        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID, 0, 0, 3));
        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID, 0, 3, 2));

        assertEquals(4, log.entry(PID).lastSeq());
        assertEquals(4L, log.entry(PID).lastOffset());
    }

    @Test
    void rejectsSequenceGapAsOutOfOrder() {
        log.produce(PID, 0, 0, 5);

        ProducerCheck check = log.produce(PID, 0, 7, 1);

        assertEquals(
                new ProducerCheck.Rejected(
                        Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                        "out of order sequence 7 for producer 1000 epoch 0 in orders-3, expected 5"),
                check);
        assertEquals(4, log.entry(PID).lastSeq());
        assertEquals(5L, log.logEndOffset);
    }

    @Test
    void answersRetryOfEachOfTheLastFiveBatchesWithItsOriginalOffsets() {
        log.produce(PID, 0, 0, 1);
        List<BatchMetadata> retained = new ArrayList<>();
        for (int i = 0; i < ProducerEntry.NUM_BATCHES_TO_RETAIN; i++) {
            retained.add(log.append(PID, 0, 1 + 2 * i, 2));
        }

        for (BatchMetadata batch : retained) {
            ProducerCheck check = log.table.startAppend().check(PID, (short) 0, batch.firstSeq(), batch.lastSeq());
            assertEquals(new ProducerCheck.Duplicate(batch), check);
        }
        assertEquals(retained, log.entry(PID).batchMetadata());
    }

    @Test
    void sixthMostRecentBatchIsNoLongerRecognisedAsDuplicate() {
        for (int seq = 0; seq <= ProducerEntry.NUM_BATCHES_TO_RETAIN; seq++) {
            log.produce(PID, 0, seq, 1);
        }

        ProducerCheck check = log.table.startAppend().check(PID, (short) 0, 0, 0);

        assertEquals(
                new ProducerCheck.Rejected(
                        Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                        "out of order sequence 0 for producer 1000 epoch 0 in orders-3, expected 6"),
                check);
    }

    @Test
    void acceptsEpochBumpStartingAtSequenceZero() {
        log.produce(PID, 0, 0, 4);

        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID, 1, 0, 2));

        ProducerEntry entry = log.entry(PID);
        assertEquals(1, entry.producerEpoch());
        assertEquals(List.of(new BatchMetadata(0, 1, 4, 5, log.nowMs.get())), entry.batchMetadata());
    }

    @Test
    void rejectsEpochBumpNotStartingAtSequenceZero() {
        log.produce(PID, 0, 0, 4);

        ProducerCheck check = log.produce(PID, 1, 3, 1);

        assertEquals(
                new ProducerCheck.Rejected(
                        Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                        "sequence 3 for new epoch 1 of producer 1000 in orders-3 must be 0 (current epoch 0)"),
                check);
    }

    @Test
    void rejectsOlderEpochWithInvalidProducerEpoch() {
        log.produce(PID, 0, 0, 1);
        log.produce(PID, 2, 0, 1);

        ProducerCheck retryOfOldEpoch = log.produce(PID, 0, 0, 1);
        ProducerCheck nextOfOldEpoch = log.produce(PID, 1, 1, 1);

        assertEquals(
                new ProducerCheck.Rejected(
                        Errors.INVALID_PRODUCER_EPOCH,
                        "epoch 0 of producer 1000 in orders-3 is older than its current epoch 2"),
                retryOfOldEpoch);
        assertEquals(Errors.INVALID_PRODUCER_EPOCH, ((ProducerCheck.Rejected) nextOfOldEpoch).error());
    }

    @Test
    void sequenceWrapsFromMaxValueToZero() {
        log.produce(PID, 0, Integer.MAX_VALUE - 1, 2);

        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID, 0, 0, 3));
        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID, 0, 3, 1));
        assertEquals(3, log.entry(PID).lastSeq());
    }

    @Test
    void batchMayStraddleTheSequenceWrap() {
        log.produce(PID, 0, Integer.MAX_VALUE - 3, 2);

        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID, 0, Integer.MAX_VALUE - 1, 4));

        assertEquals(new BatchMetadata(Integer.MAX_VALUE - 1, 1, 2, 5, log.nowMs.get()), lastBatch());
        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID, 0, 2, 1));
    }

    @Test
    void checksBatchesOfOneAppendAgainstEachOther() {
        ProducerAppend append = log.table.startAppend();
        assertEquals(ProducerCheck.ACCEPTED, append.check(PID, (short) 0, 10, 11));
        BatchMetadata first = log.stage(append, PID, 0, 10, 2, false);

        assertEquals(new ProducerCheck.Duplicate(first), append.check(PID, (short) 0, 10, 11));
        assertEquals(
                new ProducerCheck.Rejected(
                        Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                        "out of order sequence 14 for producer 1000 epoch 0 in orders-3, expected 12"),
                append.check(PID, (short) 0, 14, 14));
        assertEquals(ProducerCheck.ACCEPTED, append.check(PID, (short) 0, 12, 12));
    }

    @Test
    void stagedBatchesAreInvisibleUntilCommit() {
        ProducerAppend append = log.table.startAppend();
        log.stage(append, PID, 0, 0, 1, false);

        assertEquals(Optional.empty(), log.table.entry(PID));
        assertEquals(Map.of(), log.table.activeProducers());

        log.table.commit(append);

        assertEquals(0, log.entry(PID).lastSeq());
    }

    @Test
    void commitOfStaleAppendFails() {
        ProducerAppend first = log.table.startAppend();
        ProducerAppend second = log.table.startAppend();
        log.stage(first, PID, 0, 0, 1, false);
        log.stage(second, PID, 0, 0, 1, false);
        log.table.commit(first);

        assertThrows(IllegalStateException.class, () -> log.table.commit(second));
        assertThrows(IllegalStateException.class, () -> log.table.commit(first));
        assertThrows(IllegalStateException.class, () -> log.newTable().commit(log.table.startAppend()));
    }

    @Test
    void transactionalBatchStartsTransactionAtItsFirstOffset() {
        log.append(PID, 0, 0, 2);
        ProducerAppend append = log.table.startAppend();
        log.stage(append, PID, 0, 2, 3, true);
        log.stage(append, PID, 0, 5, 1, true);
        log.table.commit(append);

        assertEquals(OptionalLong.of(2L), log.entry(PID).currentTxnFirstOffset());
    }

    @Test
    void replayStagesOlderEpochWithoutCheck() {
        log.append(PID, 5, 0, 1);

        log.append(PID, 4, 7, 1);

        assertEquals(4, log.entry(PID).producerEpoch());
        assertEquals(
                List.of(new BatchMetadata(7, 7, 1, 1, log.nowMs.get())),
                log.entry(PID).batchMetadata());
    }

    @Test
    void batchWithoutProducerIdIsABug() {
        ProducerAppend append = log.table.startAppend();

        assertThrows(IllegalArgumentException.class, () -> append.check(-1L, (short) 0, 0, 0));
    }

    private BatchMetadata lastBatch() {
        List<BatchMetadata> batches = log.entry(PID).batchMetadata();
        return batches.get(batches.size() - 1);
    }
}
