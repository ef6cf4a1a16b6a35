package io.varve.storage.checkpoint;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * A partition's {@code partition.metadata}, which records the topic id its directory belongs to so that a
 * directory left over from a deleted topic of the same name is never mistaken for the new one. Byte-for-byte
 * Kafka's format, UTF-8, two lines, without a final line end (as Kafka writes it):
 *
 * <pre>
 * version: 0
 * topic_id: &lt;base64 topic id, {@link Uuid#toString()}&gt;
 * </pre>
 *
 * <p>Each write replaces the file atomically. Not thread-safe: confined by contract to the actor that owns the
 * partition's log.
 */
public final class PartitionMetadataFile {
    public static final String FILE_NAME = "partition.metadata";

    static final int CURRENT_VERSION = 0;

    private static final String VERSION_KEY = "version";
    private static final String TOPIC_ID_KEY = "topic_id";
    private static final String KEY_SEPARATOR = ": ";

    private final Path file;

    public PartitionMetadataFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Records {@code topicId}, atomically replacing any earlier content. */
    public void write(Uuid topicId) throws IOException {
        if (Uuid.ZERO_UUID.equals(topicId)) {
            throw new IllegalArgumentException("Cannot record the zero topic id in " + file);
        }
        AtomicFile.write(
                file, VERSION_KEY + KEY_SEPARATOR + CURRENT_VERSION + "\n" + TOPIC_ID_KEY + KEY_SEPARATOR + topicId);
    }

    /**
     * Reads the topic id; empty if the file does not exist.
     *
     * @throws IOException if the file is malformed, has another version or holds the zero topic id
     */
    public Optional<Uuid> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (CharacterCodingException e) {
            throw new IOException("Partition metadata file " + file + " is not UTF-8 text", e);
        }
        if (lines.size() != 2) {
            throw new IOException("Partition metadata file " + file + " has " + lines.size() + " lines, expected 2");
        }
        String version = value(lines, 0, VERSION_KEY);
        if (!version.equals(Integer.toString(CURRENT_VERSION))) {
            throw new IOException("Unsupported version " + version + " on line 1 of partition metadata file " + file
                    + ", expected " + CURRENT_VERSION);
        }
        Uuid topicId = parseTopicId(lines);
        if (Uuid.ZERO_UUID.equals(topicId)) {
            throw new IOException("Partition metadata file " + file + " holds the zero topic id");
        }
        return Optional.of(topicId);
    }

    private Uuid parseTopicId(List<String> lines) throws IOException {
        String topicId = value(lines, 1, TOPIC_ID_KEY);
        try {
            return Uuid.fromString(topicId);
        } catch (IllegalArgumentException e) {
            throw malformedLine(lines, 1, e);
        }
    }

    private String value(List<String> lines, int index, String key) throws IOException {
        String prefix = key + KEY_SEPARATOR;
        String line = lines.get(index);
        if (!line.startsWith(prefix)) {
            throw malformedLine(lines, index, null);
        }
        return line.substring(prefix.length()).strip();
    }

    private IOException malformedLine(List<String> lines, int index, Exception cause) {
        return new IOException(
                "Malformed line " + (index + 1) + " of partition metadata file " + file + ": '" + lines.get(index)
                        + "'",
                cause);
    }
}
