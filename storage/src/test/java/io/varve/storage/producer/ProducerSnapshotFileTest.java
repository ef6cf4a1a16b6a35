package io.varve.storage.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerSnapshotFileTest {

    private static final ProducerEntry IDLE = new ProducerEntry(
            1000L, (short) 3, List.of(new BatchMetadata(7, 9, 40, 42, 1_700L)), 1_700L, -1, OptionalLong.empty());

    private static final ProducerEntry IN_TXN = new ProducerEntry(
            2000L, (short) 1, List.of(new BatchMetadata(0, 0, 43, 43, 1_800L)), 1_800L, 5, OptionalLong.of(43L));

    private static final ProducerEntry WITHOUT_BATCH =
            new ProducerEntry(3000L, (short) 2, List.of(), 1_900L, 6, OptionalLong.empty());

    @TempDir
    Path dir;

    @Test
    void writesKafkasLayout() throws IOException {
        Path file = dir.resolve(ProducerSnapshotFile.fileName(44));
        ProducerSnapshotFile.write(file, List.of(IDLE, WITHOUT_BATCH));

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));

        assertEquals(2 + 4 + 4 + 2 * (8 + 2 + 4 + 8 + 4 + 8 + 4 + 8), bytes.remaining());
        assertEquals(1, bytes.getShort());
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate().position(6));
        assertEquals(crc.getValue(), Integer.toUnsignedLong(bytes.getInt()));
        assertEquals(2, bytes.getInt());
        assertEntry(bytes, 1000L, (short) 3, 9, 42L, 2, 1_700L, -1, -1L);
        assertEntry(bytes, 3000L, (short) 2, RecordBatch.NO_SEQUENCE, -1L, 0, 1_900L, 6, -1L);
    }

    @Test
    void roundTripsEntries() throws IOException {
        Path file = dir.resolve(ProducerSnapshotFile.fileName(44));

        ProducerSnapshotFile.write(file, List.of(IDLE, IN_TXN, WITHOUT_BATCH));

        assertEquals(List.of(IDLE, IN_TXN, WITHOUT_BATCH), ProducerSnapshotFile.read(file));
        assertEquals(List.of(file), List.copyOf(ProducerSnapshotFile.list(dir).values()));
    }

    @Test
    void keepsOnlyTheLastBatchOfAProducer() throws IOException {
        ProducerEntry entry = ProducerEntry.empty(1000L)
                .withBatch((short) 0, new BatchMetadata(0, 1, 0, 1, 10L))
                .withBatch((short) 0, new BatchMetadata(Integer.MAX_VALUE, 2, 2, 5, 20L));
        Path file = dir.resolve(ProducerSnapshotFile.fileName(6));

        ProducerSnapshotFile.write(file, List.of(entry));

        assertEquals(
                List.of(new ProducerEntry(
                        1000L,
                        (short) 0,
                        List.of(new BatchMetadata(Integer.MAX_VALUE, 2, 2, 5, 20L)),
                        20L,
                        -1,
                        OptionalLong.empty())),
                ProducerSnapshotFile.read(file));
    }

    @Test
    void rejectsCrcMismatch() throws IOException {
        Path file = dir.resolve(ProducerSnapshotFile.fileName(44));
        ProducerSnapshotFile.write(file, List.of(IDLE));
        byte[] bytes = Files.readAllBytes(file);
        long crc = Integer.toUnsignedLong(ByteBuffer.wrap(bytes).getInt(2));
        bytes[12] ^= 0x01;
        Files.write(file, bytes);
        CRC32C corrupted = new CRC32C();
        corrupted.update(bytes, 6, bytes.length - 6);

        CorruptSnapshotException e =
                assertThrows(CorruptSnapshotException.class, () -> ProducerSnapshotFile.read(file));

        assertEquals(
                "snapshot " + file + ": stored CRC " + crc + " != computed CRC " + corrupted.getValue(),
                e.getMessage());
    }

    @Test
    void rejectsUnknownVersion() {
        ByteBuffer snapshot = ProducerSnapshotFile.encode(List.of(IDLE));
        snapshot.putShort(0, (short) 2);

        CorruptSnapshotException e =
                assertThrows(CorruptSnapshotException.class, () -> ProducerSnapshotFile.decode(snapshot));

        assertEquals("unsupported version 2, expected 1", e.getMessage());
    }

    @Test
    void rejectsTruncatedContentWithValidCrc() {
        ByteBuffer whole = ProducerSnapshotFile.encode(List.of(IDLE));
        ByteBuffer truncated = ByteBuffer.allocate(whole.remaining() - 8).put(whole.limit(whole.limit() - 8));
        CRC32C crc = new CRC32C();
        crc.update(truncated.flip().duplicate().position(6));
        truncated.putInt(2, (int) crc.getValue());

        CorruptSnapshotException e =
                assertThrows(CorruptSnapshotException.class, () -> ProducerSnapshotFile.decode(truncated));

        assertTrue(e.getMessage().startsWith("malformed content: "), e.getMessage());
    }

    @Test
    void rejectsFileShorterThanTheHeader() {
        CorruptSnapshotException e = assertThrows(
                CorruptSnapshotException.class, () -> ProducerSnapshotFile.decode(ByteBuffer.wrap(new byte[] {0, 1})));

        assertEquals("only 2 bytes, the header alone has 6", e.getMessage());
    }

    @Test
    void namesFilesAfterTheirOffset() {
        assertEquals("00000000000000000042.snapshot", ProducerSnapshotFile.fileName(42));
        assertEquals(OptionalLong.of(42L), ProducerSnapshotFile.offsetOf(dir.resolve("00000000000000000042.snapshot")));
        assertEquals(OptionalLong.empty(), ProducerSnapshotFile.offsetOf(dir.resolve("00000000000000000042.log")));
        assertEquals(OptionalLong.empty(), ProducerSnapshotFile.offsetOf(dir.resolve("42.snapshot")));
        assertEquals(
                OptionalLong.empty(), ProducerSnapshotFile.offsetOf(dir.resolve("00000000000000000042.snapshot.tmp")));
    }

    @Test
    void leavesNoTemporaryFile() throws IOException {
        ProducerSnapshotFile.write(dir.resolve(ProducerSnapshotFile.fileName(1)), List.of(IDLE));
        ProducerSnapshotFile.write(dir.resolve(ProducerSnapshotFile.fileName(1)), List.of(IN_TXN));

        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("00000000000000000001.snapshot")), files.toList());
        }
        assertEquals(List.of(IN_TXN), ProducerSnapshotFile.read(dir.resolve(ProducerSnapshotFile.fileName(1))));
    }

    private static void assertEntry(
            ByteBuffer bytes,
            long producerId,
            short epoch,
            int lastSeq,
            long lastOffset,
            int offsetDelta,
            long timestamp,
            int coordinatorEpoch,
            long txnFirstOffset) {
        assertEquals(producerId, bytes.getLong());
        assertEquals(epoch, bytes.getShort());
        assertEquals(lastSeq, bytes.getInt());
        assertEquals(lastOffset, bytes.getLong());
        assertEquals(offsetDelta, bytes.getInt());
        assertEquals(timestamp, bytes.getLong());
        assertEquals(coordinatorEpoch, bytes.getInt());
        assertEquals(txnFirstOffset, bytes.getLong());
    }
}
