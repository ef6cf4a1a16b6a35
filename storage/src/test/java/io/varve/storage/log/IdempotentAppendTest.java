package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Producer-state rules as the log applies them, including across restarts. */
class IdempotentAppendTest {
    private static final long PID = 4000L;

    @TempDir
    Path root;

    private LogFixture fx;

    @AfterEach
    void close() throws IOException {
        fx.log.close();
    }

    private MemoryRecords batch(short epoch, int baseSequence, int count) {
        return Batches.idempotent(
                Compression.NONE, PID, epoch, baseSequence, "s" + baseSequence, count, fx.clock.millis());
    }

    private AppendResult append(short epoch, int baseSequence, int count) {
        return fx.log.appendAsLeader(batch(epoch, baseSequence, count), 0);
    }

    @Test
    void aRetriedBatchIsAnsweredWithItsOriginalOffsetsAndNotWrittenTwice() throws IOException {
        fx = new LogFixture(root);
        fx.open();
        fx.append("plain", 2);
        AppendResult.Appended first = (AppendResult.Appended) append((short) 0, 0, 3);
        AppendResult.Appended retry = (AppendResult.Appended) append((short) 0, 0, 3);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(first.firstOffset()).isEqualTo(2);
        assertThat(retry.lastOffset()).isEqualTo(4);
        assertThat(fx.log.logEndOffset()).isEqualTo(5);
    }

    @Test
    void aSequenceGapIsOutOfOrder() {
        fx = new LogFixture(root);
        fx.open0();
        append((short) 0, 0, 3);
        AppendResult.Rejected gap = (AppendResult.Rejected) append((short) 0, 5, 1);
        assertThat(gap.error()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(gap.message()).contains("5", String.valueOf(PID));
        assertThat(fx.log.logEndOffset()).isEqualTo(3);
        assertThat(append((short) 0, 3, 1)).isInstanceOf(AppendResult.Appended.class);
    }

    @Test
    void anOlderEpochIsFenced() {
        fx = new LogFixture(root);
        fx.open0();
        append((short) 2, 0, 1);
        AppendResult.Rejected old = (AppendResult.Rejected) append((short) 1, 1, 1);
        assertThat(old.error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void duplicatesAreStillDetectedAfterACleanRestart() throws IOException {
        fx = new LogFixture(root);
        fx.open();
        append((short) 0, 0, 3);
        fx.reopenClean();
        AppendResult.Appended retry = (AppendResult.Appended) append((short) 0, 0, 3);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isZero();
        assertThat(append((short) 0, 4, 1)).isInstanceOf(AppendResult.Rejected.class);
    }

    @Test
    void everyRetainedBatchIsStillRecognisedAfterACleanRestart() throws IOException {
        // The campaign's finding F6: a snapshot holds only the newest batch of each producer, so a
        // retry of an earlier in-flight batch after a restart was OUT_OF_ORDER_SEQUENCE_NUMBER, and
        // the Kafka producer then wrote it again under a bumped epoch.
        fx = new LogFixture(root);
        fx.open();
        int[][] batches = {{0, 3}, {3, 2}, {5, 1}, {6, 2}, {8, 1}};
        long[] firstOffsets = new long[batches.length];
        for (int i = 0; i < batches.length; i++) {
            fx.append("other" + i, 1);
            firstOffsets[i] = ((AppendResult.Appended) append((short) 0, batches[i][0], batches[i][1])).firstOffset();
            if (i == 1) {
                fx.log.roll();
            }
        }
        long logEnd = fx.log.logEndOffset();
        fx.reopenClean();
        for (int i = 0; i < batches.length; i++) {
            AppendResult.Appended retry = (AppendResult.Appended) append((short) 0, batches[i][0], batches[i][1]);
            assertThat(retry.duplicate()).as("retry of batch %d", i).isTrue();
            assertThat(retry.firstOffset()).isEqualTo(firstOffsets[i]);
            assertThat(retry.lastOffset()).isEqualTo(firstOffsets[i] + batches[i][1] - 1);
        }
        assertThat(fx.log.logEndOffset()).isEqualTo(logEnd);
        AppendResult.Appended next = (AppendResult.Appended) append((short) 0, 9, 1);
        assertThat(next.duplicate()).isFalse();
        assertThat(next.firstOffset()).isEqualTo(logEnd);
    }

    @Test
    void aBatchOfAnEarlierEpochIsNotRecognisedAfterARestart() throws IOException {
        fx = new LogFixture(root);
        fx.open();
        append((short) 0, 0, 2);
        append((short) 1, 0, 1);
        fx.reopenClean();
        AppendResult.Rejected old = (AppendResult.Rejected) append((short) 0, 0, 2);
        assertThat(old.error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        AppendResult.Appended retry = (AppendResult.Appended) append((short) 1, 0, 1);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(2);
    }

    @Test
    void producerStateIsRebuiltFromTheLogAfterACrash() throws IOException {
        fx = new LogFixture(root);
        fx.open();
        append((short) 0, 0, 3);
        fx.log.roll();
        append((short) 0, 3, 2);
        fx.reopenAfterCrash(0);
        AppendResult.Appended retry = (AppendResult.Appended) append((short) 0, 3, 2);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(3);
        AppendResult.Appended next = (AppendResult.Appended) append((short) 0, 5, 1);
        assertThat(next.firstOffset()).isEqualTo(5);
    }
}
