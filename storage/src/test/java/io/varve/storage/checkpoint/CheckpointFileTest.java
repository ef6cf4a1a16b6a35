package io.varve.storage.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {
    private static final CheckpointFile.EntryFormat<Long> LONGS = new CheckpointFile.EntryFormat<>() {
        @Override
        public String format(Long entry) {
            return entry.toString();
        }

        @Override
        public Long parse(String line) {
            return Long.parseLong(line);
        }
    };

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("numbers");
    }

    private CheckpointFile<Long> checkpoint() {
        return new CheckpointFile<>(file(), 3, LONGS);
    }

    private void writeText(String text) throws IOException {
        Files.writeString(file(), text, StandardCharsets.UTF_8);
    }

    @Test
    void writesVersionCountAndOneLinePerEntry() throws IOException {
        checkpoint().write(List.of(7L, 11L));

        assertEquals("3\n2\n7\n11\n", Files.readString(file()));
        assertEquals(List.of(7L, 11L), checkpoint().read());
    }

    @Test
    void atomicWriteLeavesNoTemporaryFile() throws IOException {
        checkpoint().write(List.of(1L));
        checkpoint().write(List.of(2L));

        assertFalse(Files.exists(AtomicFile.tmpFileOf(file())));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file()), files.toList());
        }
    }

    @Test
    void overwritesAStaleTemporaryFile() throws IOException {
        Files.writeString(AtomicFile.tmpFileOf(file()), "garbage from a crash");

        checkpoint().write(List.of(5L));

        assertEquals(List.of(5L), checkpoint().read());
        assertFalse(Files.exists(AtomicFile.tmpFileOf(file())));
    }

    @Test
    void readsNoEntriesFromAMissingOrEmptyFile() throws IOException {
        assertEquals(List.of(), checkpoint().read());

        writeText("");
        assertEquals(List.of(), checkpoint().read());
    }

    @Test
    void rejectsAnotherVersionNamingTheFile() throws IOException {
        writeText("4\n0\n");

        IOException e = assertThrows(IOException.class, () -> checkpoint().read());

        assertEquals("Unsupported version 4 on line 1 of checkpoint file " + file() + ", expected 3", e.getMessage());
    }

    @Test
    void rejectsAMalformedLineNamingTheFileAndTheLine() throws IOException {
        writeText("3\n2\n7\nseven\n");

        IOException e = assertThrows(IOException.class, () -> checkpoint().read());

        assertEquals("Malformed line 4 of checkpoint file " + file() + ": 'seven'", e.getMessage());
    }

    @Test
    void rejectsAMalformedCount() throws IOException {
        writeText("3\ntwo\n7\n");

        IOException e = assertThrows(IOException.class, () -> checkpoint().read());

        assertTrue(e.getMessage().startsWith("Malformed line 2 of checkpoint file "), e.getMessage());
    }

    @Test
    void rejectsACountThatDoesNotMatchTheEntries() throws IOException {
        writeText("3\n3\n7\n11\n");

        IOException e = assertThrows(IOException.class, () -> checkpoint().read());

        assertEquals("Checkpoint file " + file() + " announces 3 entries on line 2 but holds 2", e.getMessage());
    }

    @Test
    void rejectsAVersionWithoutACount() throws IOException {
        writeText("3\n");

        assertThrows(IOException.class, () -> checkpoint().read());
    }
}
