package io.varve.storage.checkpoint;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Kafka's versioned, line-oriented checkpoint envelope, shared by the offset checkpoints and the leader-epoch
 * checkpoint. UTF-8 text, {@code \n} line ends:
 *
 * <pre>
 * &lt;version&gt;          e.g. 0
 * &lt;entry count&gt;      e.g. 2
 * &lt;entry&gt;            one line per entry, fields separated by a space, as the {@link EntryFormat} writes them
 * &lt;entry&gt;
 * </pre>
 *
 * <p>Writes replace the whole file atomically ({@link AtomicFile}). Reads return no entries for a missing or
 * empty file (Kafka creates checkpoint files empty) and reject anything else that is not exactly this shape
 * with an {@link IOException} naming the file and the line.
 *
 * <p>Not thread-safe: each checkpoint file has one owner (the log manager for the directory-wide offset
 * checkpoints, the partition's actor for its leader-epoch checkpoint).
 *
 * @param <T> the entry type
 */
final class CheckpointFile<T> {
    /** Kafka splits checkpoint lines on any run of whitespace. */
    static final Pattern FIELD_SEPARATOR = Pattern.compile("\\s+");

    /** Turns entries into lines and back. */
    interface EntryFormat<T> {
        String format(T entry);

        /**
         * Parses one line.
         *
         * @throws IllegalArgumentException (including {@link NumberFormatException}) if the line is malformed
         */
        T parse(String line);
    }

    private final Path file;
    private final int version;
    private final EntryFormat<T> entryFormat;

    CheckpointFile(Path file, int version, EntryFormat<T> entryFormat) {
        this.file = file;
        this.version = version;
        this.entryFormat = entryFormat;
    }

    Path file() {
        return file;
    }

    void write(Collection<? extends T> entries) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append(version).append('\n').append(entries.size()).append('\n');
        for (T entry : entries) {
            text.append(entryFormat.format(entry)).append('\n');
        }
        AtomicFile.write(file, text.toString());
    }

    List<T> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (CharacterCodingException e) {
            throw new IOException("Checkpoint file " + file + " is not UTF-8 text", e);
        }
        if (lines.isEmpty()) {
            return List.of();
        }
        int readVersion = parseInt(lines, 0);
        if (readVersion != version) {
            throw new IOException("Unsupported version " + readVersion + " on line 1 of checkpoint file " + file
                    + ", expected " + version);
        }
        if (lines.size() < 2) {
            throw new IOException("Checkpoint file " + file + " ends after line 1 without an entry count");
        }
        int expectedEntries = parseInt(lines, 1);
        List<T> entries = new ArrayList<>();
        for (int i = 2; i < lines.size(); i++) {
            entries.add(parseEntry(lines, i));
        }
        if (entries.size() != expectedEntries) {
            throw new IOException("Checkpoint file " + file + " announces " + expectedEntries
                    + " entries on line 2 but holds " + entries.size());
        }
        return entries;
    }

    private T parseEntry(List<String> lines, int index) throws IOException {
        try {
            return entryFormat.parse(lines.get(index));
        } catch (IllegalArgumentException e) {
            throw malformedLine(lines, index, e);
        }
    }

    private int parseInt(List<String> lines, int index) throws IOException {
        try {
            return Integer.parseInt(lines.get(index).strip());
        } catch (NumberFormatException e) {
            throw malformedLine(lines, index, e);
        }
    }

    private IOException malformedLine(List<String> lines, int index, Exception cause) {
        return new IOException(
                "Malformed line " + (index + 1) + " of checkpoint file " + file + ": '" + lines.get(index) + "'",
                cause);
    }
}
