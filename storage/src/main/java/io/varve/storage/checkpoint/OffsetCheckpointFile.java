package io.varve.storage.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A per-data-directory checkpoint of one offset per partition: Kafka's {@code recovery-point-offset-checkpoint},
 * {@code log-start-offset-checkpoint} and {@code replication-offset-checkpoint}, byte-for-byte. The envelope is
 * {@link CheckpointFile}'s, version 0, one {@code <topic> <partition> <offset>} line per partition:
 *
 * <pre>
 * 0
 * 2
 * orders 0 42
 * orders 1 17
 * </pre>
 *
 * <p>Lines are written sorted by topic and partition so that equal content gives equal files. Each write
 * replaces the file atomically.
 *
 * <p>Not thread-safe: confined by contract to the one owner of the data directory's log manager.
 */
public final class OffsetCheckpointFile {
    public static final String RECOVERY_POINT_OFFSET_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    public static final String REPLICATION_OFFSET_CHECKPOINT = "replication-offset-checkpoint";

    static final int CURRENT_VERSION = 0;

    private static final Comparator<PartitionOffset> FILE_ORDER = Comparator.comparing(
                    (PartitionOffset entry) -> entry.topicPartition().topic())
            .thenComparingInt(entry -> entry.topicPartition().partition());

    private final CheckpointFile<PartitionOffset> checkpoint;

    public OffsetCheckpointFile(Path file) {
        this.checkpoint = new CheckpointFile<>(file, CURRENT_VERSION, new PartitionOffsetFormat());
    }

    public Path file() {
        return checkpoint.file();
    }

    /** Replaces the file's content with {@code offsets}, atomically. */
    public void write(Map<TopicPartition, Long> offsets) throws IOException {
        List<PartitionOffset> entries = offsets.entrySet().stream()
                .map(entry -> new PartitionOffset(entry.getKey(), entry.getValue()))
                .sorted(FILE_ORDER)
                .toList();
        checkpoint.write(entries);
    }

    /**
     * Reads the checkpoint; a missing or empty file holds no offsets.
     *
     * @throws IOException if the file is malformed, with the file and the line in the message
     */
    public Map<TopicPartition, Long> read() throws IOException {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (PartitionOffset entry : checkpoint.read()) {
            if (offsets.put(entry.topicPartition(), entry.offset()) != null) {
                throw new IOException("Checkpoint file " + file() + " lists " + entry.topicPartition() + " twice");
            }
        }
        return offsets;
    }

    private record PartitionOffset(TopicPartition topicPartition, long offset) {}

    private static final class PartitionOffsetFormat implements CheckpointFile.EntryFormat<PartitionOffset> {
        @Override
        public String format(PartitionOffset entry) {
            TopicPartition topicPartition = entry.topicPartition();
            return topicPartition.topic() + " " + topicPartition.partition() + " " + entry.offset();
        }

        @Override
        public PartitionOffset parse(String line) {
            String[] fields = CheckpointFile.FIELD_SEPARATOR.split(line);
            if (fields.length != 3 || fields[0].isEmpty()) {
                throw new IllegalArgumentException("expected '<topic> <partition> <offset>'");
            }
            int partition = Integer.parseInt(fields[1]);
            if (partition < 0) {
                throw new IllegalArgumentException("negative partition " + partition);
            }
            return new PartitionOffset(new TopicPartition(fields[0], partition), Long.parseLong(fields[2]));
        }
    }
}
