package io.varve.storage.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A partition's {@code leader-epoch-checkpoint}, byte-for-byte Kafka's: {@link CheckpointFile}'s envelope,
 * version 0, one {@code <epoch> <startOffset>} line per leader epoch, in epoch order:
 *
 * <pre>
 * 0
 * 2
 * 3 0
 * 5 1742
 * </pre>
 *
 * <p>Each write replaces the file atomically. Not thread-safe: confined by contract to the actor that owns the
 * partition's log, through its {@link LeaderEpochCache}.
 */
public final class LeaderEpochCheckpointFile {
    public static final String FILE_NAME = "leader-epoch-checkpoint";

    static final int CURRENT_VERSION = 0;

    private final CheckpointFile<EpochEntry> checkpoint;

    public LeaderEpochCheckpointFile(Path file) {
        this.checkpoint = new CheckpointFile<>(file, CURRENT_VERSION, new EpochEntryFormat());
    }

    public Path file() {
        return checkpoint.file();
    }

    /** Replaces the file's content with {@code entries}, atomically. */
    public void write(List<EpochEntry> entries) throws IOException {
        checkpoint.write(entries);
    }

    /**
     * Reads the checkpoint; a missing or empty file holds no entries.
     *
     * @throws IOException if the file is malformed, with the file and the line in the message
     */
    public List<EpochEntry> read() throws IOException {
        return checkpoint.read();
    }

    private static final class EpochEntryFormat implements CheckpointFile.EntryFormat<EpochEntry> {
        @Override
        public String format(EpochEntry entry) {
            return entry.epoch() + " " + entry.startOffset();
        }

        @Override
        public EpochEntry parse(String line) {
            String[] fields = CheckpointFile.FIELD_SEPARATOR.split(line);
            if (fields.length != 2) {
                throw new IllegalArgumentException("expected '<epoch> <startOffset>'");
            }
            return new EpochEntry(Integer.parseInt(fields[0]), Long.parseLong(fields[1]));
        }
    }
}
