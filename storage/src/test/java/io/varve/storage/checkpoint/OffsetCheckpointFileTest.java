package io.varve.storage.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetCheckpointFileTest {
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition ORDERS_10 = new TopicPartition("orders", 10);
    private static final TopicPartition AUDIT_0 = new TopicPartition("audit", 0);

    @TempDir
    Path dir;

    private OffsetCheckpointFile checkpoint() {
        return new OffsetCheckpointFile(dir.resolve(OffsetCheckpointFile.RECOVERY_POINT_OFFSET_CHECKPOINT));
    }

    @Test
    void writesKafkasFormatSortedByTopicAndPartition() throws IOException {
        checkpoint().write(Map.of(ORDERS_10, 5L, ORDERS_1, 17L, AUDIT_0, 3L, ORDERS_0, 42L));

        assertEquals(
                "0\n4\naudit 0 3\norders 0 42\norders 1 17\norders 10 5\n",
                Files.readString(checkpoint().file()));
    }

    @Test
    void roundTripsOffsets() throws IOException {
        Map<TopicPartition, Long> offsets = Map.of(ORDERS_0, 42L, ORDERS_1, 17L, AUDIT_0, 0L);

        checkpoint().write(offsets);

        assertEquals(offsets, checkpoint().read());
    }

    @Test
    void roundTripsNoOffsets() throws IOException {
        checkpoint().write(Map.of());

        assertEquals("0\n0\n", Files.readString(checkpoint().file()));
        assertEquals(Map.of(), checkpoint().read());
    }

    @Test
    void readsNoOffsetsFromAMissingFile() throws IOException {
        assertEquals(Map.of(), checkpoint().read());
    }

    @Test
    void rejectsALineWithoutThreeFieldsNamingTheLine() throws IOException {
        Files.writeString(checkpoint().file(), "0\n2\norders 0 42\norders 1\n");

        IOException e = assertThrows(IOException.class, () -> checkpoint().read());

        assertEquals("Malformed line 4 of checkpoint file " + checkpoint().file() + ": 'orders 1'", e.getMessage());
    }

    @Test
    void rejectsAnUnparsableOffsetNamingTheLine() throws IOException {
        Files.writeString(checkpoint().file(), "0\n1\norders 0 forty-two\n");

        IOException e = assertThrows(IOException.class, () -> checkpoint().read());

        assertTrue(e.getMessage().startsWith("Malformed line 3 of checkpoint file "), e.getMessage());
    }

    @Test
    void rejectsAPartitionListedTwice() throws IOException {
        Files.writeString(checkpoint().file(), "0\n2\norders 0 42\norders 0 43\n");

        IOException e = assertThrows(IOException.class, () -> checkpoint().read());

        assertTrue(e.getMessage().contains("orders-0 twice"), e.getMessage());
    }

    @Test
    void kafkaReadsWhatVarveWritesAndViceVersa() throws IOException {
        Map<TopicPartition, Long> offsets = Map.of(ORDERS_0, 42L, ORDERS_1, 17L);
        checkpoint().write(offsets);
        var kafkaCheckpoint = new org.apache.kafka.storage.internals.checkpoint.OffsetCheckpointFile(
                checkpoint().file().toFile(), new LogDirFailureChannel(1));

        assertEquals(offsets, kafkaCheckpoint.read());

        kafkaCheckpoint.write(Map.of(AUDIT_0, 9L));
        assertEquals(Map.of(AUDIT_0, 9L), checkpoint().read());
    }
}
