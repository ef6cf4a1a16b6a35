package io.varve.storage.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.storage.internals.log.LogDirFailureChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCheckpointFileTest {
    @TempDir
    Path dir;

    private LeaderEpochCheckpointFile checkpoint() {
        return new LeaderEpochCheckpointFile(dir.resolve(LeaderEpochCheckpointFile.FILE_NAME));
    }

    @Test
    void writesKafkasFormatAndReadsItBack() throws IOException {
        List<EpochEntry> entries = List.of(new EpochEntry(3, 0L), new EpochEntry(5, 1742L));

        checkpoint().write(entries);

        assertEquals("0\n2\n3 0\n5 1742\n", Files.readString(checkpoint().file()));
        assertEquals(entries, checkpoint().read());
    }

    @Test
    void readsNoEntriesFromAMissingFile() throws IOException {
        assertEquals(List.of(), checkpoint().read());
    }

    @Test
    void rejectsAMalformedLineNamingIt() throws IOException {
        Files.writeString(checkpoint().file(), "0\n1\n3 0 7\n");

        IOException e = assertThrows(IOException.class, () -> checkpoint().read());

        assertEquals("Malformed line 3 of checkpoint file " + checkpoint().file() + ": '3 0 7'", e.getMessage());
    }

    @Test
    void kafkaReadsWhatVarveWrites() throws IOException {
        checkpoint().write(List.of(new EpochEntry(3, 0L), new EpochEntry(5, 1742L)));

        var kafkaCheckpoint = new org.apache.kafka.storage.internals.checkpoint.LeaderEpochCheckpointFile(
                checkpoint().file().toFile(), new LogDirFailureChannel(1));

        assertEquals(
                List.of(
                        new org.apache.kafka.storage.internals.log.EpochEntry(3, 0L),
                        new org.apache.kafka.storage.internals.log.EpochEntry(5, 1742L)),
                kafkaCheckpoint.read());
    }
}
