package io.varve.storage.producer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerStateTableTest {

    private static final long PID_A = 1000L;
    private static final long PID_B = 2000L;

    @TempDir
    Path tempDir;

    private ProducerLogFixture log;

    @BeforeEach
    void setUp() throws IOException {
        log = new ProducerLogFixture(tempDir);
    }

    @Test
    void snapshotRoundTripKeepsTheLastBatchOfEachProducer() throws IOException {
        log.append(PID_A, 0, 0, 2);
        log.nowMs.addAndGet(5);
        BatchMetadata lastOfA = log.append(PID_A, 0, 2, 3);
        BatchMetadata lastOfB = log.append(PID_B, 4, 9, 1);
        log.table.takeSnapshot();

        ProducerStateTable reloaded = log.newTable();
        reloaded.truncateAndReload(0, log.logEndOffset);

        assertEquals(6L, reloaded.mapEndOffset());
        assertEquals(
                Map.of(
                        PID_A, entry(PID_A, 0, lastOfA),
                        PID_B, entry(PID_B, 4, lastOfB)),
                reloaded.activeProducers());
    }

    @Test
    void snapshotIsNamedAfterTheMapEndOffsetAndWrittenOnce() throws IOException {
        log.append(PID_A, 0, 0, 42);
        log.table.takeSnapshot();
        Path snapshot = log.logDir.resolve("00000000000000000042.snapshot");
        byte[] written = Files.readAllBytes(snapshot);
        log.append(PID_B, 0, 0, 1);
        log.table.updateMapEndOffset(42);

        log.table.takeSnapshot();

        assertEquals(Set.of("00000000000000000042.snapshot"), fileNames());
        assertArrayEquals(written, Files.readAllBytes(snapshot));
        assertEquals(OptionalLong.of(42L), log.table.latestSnapshotOffset());
    }

    @Test
    void reloadSkipsCorruptSnapshotAndUsesTheOlderOne() throws IOException {
        BatchMetadata first = log.append(PID_A, 0, 0, 3);
        log.table.takeSnapshot();
        log.append(PID_A, 0, 3, 2);
        log.table.takeSnapshot();
        flipLastByte(log.logDir.resolve("00000000000000000005.snapshot"));

        ProducerStateTable reloaded = log.newTable();
        reloaded.truncateAndReload(0, 5);

        assertEquals(3L, reloaded.mapEndOffset());
        assertEquals(Map.of(PID_A, entry(PID_A, 0, first)), reloaded.activeProducers());
        assertEquals(Set.of("00000000000000000003.snapshot"), fileNames());
    }

    @Test
    void reloadDeletesSnapshotsAboveTheLogEndOffset() throws IOException {
        BatchMetadata first = log.append(PID_A, 0, 0, 3);
        log.table.takeSnapshot();
        log.append(PID_A, 0, 3, 2);
        log.table.takeSnapshot();
        log.append(PID_B, 0, 0, 2);
        log.table.takeSnapshot();

        log.table.truncateAndReload(0, 4);

        assertEquals(Set.of("00000000000000000003.snapshot"), fileNames());
        assertEquals(OptionalLong.of(3L), log.table.latestSnapshotOffset());
        assertEquals(3L, log.table.mapEndOffset());
        assertEquals(Map.of(PID_A, entry(PID_A, 0, first)), log.table.activeProducers());
    }

    @Test
    void reloadWithoutSnapshotStartsEmptyAtTheLogStartOffset() throws IOException {
        log.append(PID_A, 0, 0, 3);
        log.table.takeSnapshot();

        log.table.truncateAndReload(3, 10);

        assertEquals(3L, log.table.mapEndOffset());
        assertEquals(Map.of(), log.table.activeProducers());
        assertEquals(Set.of(), fileNames());
    }

    @Test
    void reloadDropsExpiredProducersAndKeepsThoseBelowTheLogStart() throws IOException {
        long start = log.nowMs.get();
        log.nowMs.set(start + 10);
        log.append(PID_A, 0, 0, 3);
        log.nowMs.set(start);
        log.append(3000L, 0, 0, 1);
        log.nowMs.set(start + 10);
        BatchMetadata ofA = log.entry(PID_A).batchMetadata().get(0);
        BatchMetadata ofB = log.append(PID_B, 0, 0, 3);
        log.table.takeSnapshot();
        log.nowMs.set(start + ProducerLogFixture.EXPIRATION_MS);

        log.table.truncateAndReload(3, 7);

        assertEquals(7L, log.table.mapEndOffset());
        // 3000 expired; PID_A's batch (offsets 0-2) is below the log start but kept (KIP-360)
        assertEquals(Map.of(PID_A, entry(PID_A, 0, ofA), PID_B, entry(PID_B, 0, ofB)), log.table.activeProducers());
    }

    @Test
    void replayAfterReloadRestoresRetriesRecognition() throws IOException {
        log.append(PID_A, 0, 0, 1);
        log.table.takeSnapshot();
        BatchMetadata second = log.append(PID_A, 0, 1, 1);

        log.table.truncateAndReload(0, log.logEndOffset);
        assertEquals(1L, log.table.mapEndOffset());
        log.logEndOffset = log.table.mapEndOffset();
        log.append(PID_A, 0, 1, 1);

        assertEquals(
                new ProducerCheck.Duplicate(second), log.table.startAppend().check(PID_A, (short) 0, 1, 1));
    }

    @Test
    void expiresIdleProducersWithTheInjectedClock() {
        long start = log.nowMs.get();
        log.append(PID_A, 0, 0, 1);
        log.nowMs.set(start + 1);
        log.append(PID_B, 0, 0, 1);
        ProducerAppend txn = log.table.startAppend();
        log.stage(txn, 3000L, 0, 0, 1, true);
        log.commit(txn);

        log.nowMs.set(start + ProducerLogFixture.EXPIRATION_MS - 1);
        log.table.removeExpiredProducers();
        assertEquals(Set.of(PID_A, PID_B, 3000L), log.table.activeProducers().keySet());

        log.nowMs.set(start + ProducerLogFixture.EXPIRATION_MS);
        log.table.removeExpiredProducers();
        assertEquals(Set.of(PID_B, 3000L), log.table.activeProducers().keySet());

        log.nowMs.set(start + 1 + ProducerLogFixture.EXPIRATION_MS);
        log.table.removeExpiredProducers();
        assertEquals(Set.of(3000L), log.table.activeProducers().keySet());
    }

    @Test
    void expiredProducerIsUnknownAndAcceptsAnySequence() {
        log.produce(PID_A, 0, 0, 5);
        log.nowMs.addAndGet(ProducerLogFixture.EXPIRATION_MS);
        log.table.removeExpiredProducers();

        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID_A, 0, 17, 1));
    }

    @Test
    void logStartOffsetIncrementKeepsProducersUntilTheyExpire() {
        log.append(PID_A, 0, 0, 3);
        log.append(PID_B, 0, 0, 2);

        log.table.onLogStartOffsetIncremented(7);

        // KIP-360: a producer whose batches were deleted is still known, fenced and in sequence
        assertEquals(Set.of(PID_A, PID_B), log.table.activeProducers().keySet());
        ProducerCheck gap = log.produce(PID_A, 0, 5, 1);
        assertTrue(
                gap instanceof ProducerCheck.Rejected r && r.error() == Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                gap::toString);
        assertEquals(ProducerCheck.ACCEPTED, log.produce(PID_A, 0, 3, 1));
    }

    @Test
    void logStartOffsetIncrementMovesMapEndOffsetUp() {
        log.table.updateMapEndOffset(10);

        log.table.onLogStartOffsetIncremented(4);
        assertEquals(10L, log.table.mapEndOffset());
        log.table.onLogStartOffsetIncremented(25);
        assertEquals(25L, log.table.mapEndOffset());
    }

    @Test
    void deletesSnapshotsBeforeAnOffset() throws IOException {
        for (int i = 0; i < 3; i++) {
            log.append(PID_A, 0, i, 10);
            log.table.takeSnapshot();
        }
        assertEquals(OptionalLong.of(10L), log.table.oldestSnapshotOffset());

        log.table.deleteSnapshotsBefore(20);

        assertEquals(Set.of("00000000000000000020.snapshot", "00000000000000000030.snapshot"), fileNames());
        assertEquals(OptionalLong.of(20L), log.table.oldestSnapshotOffset());
        assertEquals(OptionalLong.of(30L), log.table.latestSnapshotOffset());
    }

    @Test
    void truncateFullyClearsStateAndSnapshots() throws IOException {
        log.append(PID_A, 0, 0, 3);
        log.table.takeSnapshot();

        log.table.truncateFullyAndStartAt(50);

        assertEquals(50L, log.table.mapEndOffset());
        assertEquals(Optional.empty(), log.table.entry(PID_A));
        assertEquals(OptionalLong.empty(), log.table.latestSnapshotOffset());
        assertEquals(Set.of(), fileNames());
    }

    @Test
    void newTableFindsExistingSnapshotsAndRemovesHalfWrittenOnes() throws IOException {
        log.append(PID_A, 0, 0, 3);
        log.table.takeSnapshot();
        Files.write(log.logDir.resolve("00000000000000000007.snapshot.tmp"), new byte[] {1, 2});
        Files.write(log.logDir.resolve("00000000000000000003.log"), new byte[0]);

        ProducerStateTable reopened = log.newTable();

        assertEquals(OptionalLong.of(3L), reopened.oldestSnapshotOffset());
        assertEquals(OptionalLong.of(3L), reopened.latestSnapshotOffset());
        assertEquals(Set.of("00000000000000000003.snapshot", "00000000000000000003.log"), fileNames());
        assertEquals(0L, reopened.mapEndOffset());
        assertEquals(Map.of(), reopened.activeProducers());
    }

    @Test
    void activeProducersIsAnImmutableCopy() {
        log.append(PID_A, 0, 0, 1);
        Map<Long, ProducerEntry> before = log.table.activeProducers();

        log.append(PID_B, 0, 0, 1);

        assertEquals(Set.of(PID_A), before.keySet());
        assertThrows(UnsupportedOperationException.class, () -> before.remove(PID_A));
        assertTrue(log.table.activeProducers().containsKey(PID_B));
        assertFalse(before.containsKey(PID_B));
    }

    private ProducerEntry entry(long producerId, int epoch, BatchMetadata lastBatch) {
        return new ProducerEntry(
                producerId,
                (short) epoch,
                List.of(lastBatch),
                lastBatch.timestamp(),
                ProducerEntry.NO_COORDINATOR_EPOCH,
                OptionalLong.empty());
    }

    private Set<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(log.logDir)) {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static void flipLastByte(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(file, bytes);
    }
}
