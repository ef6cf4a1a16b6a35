package io.varve.storage.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionMetadataFileTest {
    private static final Uuid TOPIC_ID = Uuid.fromString("vfGqLfeUQQaUdBkPIe2Pqw");

    @TempDir
    Path dir;

    private PartitionMetadataFile metadata() {
        return new PartitionMetadataFile(dir.resolve(PartitionMetadataFile.FILE_NAME));
    }

    @Test
    void writesKafkasBytesAndReadsThemBack() throws IOException {
        metadata().write(TOPIC_ID);

        assertEquals(
                "version: 0\ntopic_id: vfGqLfeUQQaUdBkPIe2Pqw",
                Files.readString(metadata().file()));
        assertEquals(Optional.of(TOPIC_ID), metadata().read());
        assertFalse(Files.exists(AtomicFile.tmpFileOf(metadata().file())));
    }

    @Test
    void readsATrailingLineEnd() throws IOException {
        Files.writeString(metadata().file(), "version: 0\ntopic_id: vfGqLfeUQQaUdBkPIe2Pqw\n");

        assertEquals(Optional.of(TOPIC_ID), metadata().read());
    }

    @Test
    void readsNothingFromAMissingFile() throws IOException {
        assertEquals(Optional.empty(), metadata().read());
    }

    @Test
    void rejectsAnotherVersion() throws IOException {
        Files.writeString(metadata().file(), "version: 1\ntopic_id: vfGqLfeUQQaUdBkPIe2Pqw");

        assertThrows(IOException.class, () -> metadata().read());
    }

    @Test
    void rejectsAMalformedTopicIdNamingTheLine() throws IOException {
        Files.writeString(metadata().file(), "version: 0\ntopic_id: not-a-uuid");

        IOException e = assertThrows(IOException.class, () -> metadata().read());

        assertEquals(
                "Malformed line 2 of partition metadata file " + metadata().file() + ": 'topic_id: not-a-uuid'",
                e.getMessage());
    }

    @Test
    void rejectsTheZeroTopicId() throws IOException {
        Files.writeString(metadata().file(), "version: 0\ntopic_id: " + Uuid.ZERO_UUID);

        assertThrows(IOException.class, () -> metadata().read());
        assertThrows(IllegalArgumentException.class, () -> metadata().write(Uuid.ZERO_UUID));
    }

    @Test
    void kafkaReadsWhatVarveWrites() throws IOException {
        metadata().write(TOPIC_ID);

        var kafkaMetadata = new org.apache.kafka.storage.internals.checkpoint.PartitionMetadataFile(
                metadata().file().toFile(), new LogDirFailureChannel(1));

        assertEquals(TOPIC_ID, kafkaMetadata.read().topicId());
    }
}
