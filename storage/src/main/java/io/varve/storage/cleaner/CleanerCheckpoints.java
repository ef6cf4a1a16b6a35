package io.varve.storage.cleaner;

import io.varve.storage.checkpoint.OffsetCheckpointFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory's {@code cleaner-offset-checkpoint}, in Kafka's format: for each compacted
 * partition, the offset its log is clean up to (the next cleaning's first dirty offset). Read once when
 * the cleaner starts (an unreadable file only costs a full re-cleaning), written after every cleaning
 * and when a partition is deleted.
 *
 * <p>Not thread-safe: owned by the node's log cleaner.
 */
public final class CleanerCheckpoints {
    private static final Logger log = LoggerFactory.getLogger(CleanerCheckpoints.class);
    public static final String FILE_NAME = "cleaner-offset-checkpoint";

    private final OffsetCheckpointFile file;
    private final Map<TopicPartition, Long> offsets;

    private CleanerCheckpoints(OffsetCheckpointFile file, Map<TopicPartition, Long> offsets) {
        this.file = file;
        this.offsets = offsets;
    }

    public static CleanerCheckpoints load(Path dataDir) {
        OffsetCheckpointFile file = new OffsetCheckpointFile(dataDir.resolve(FILE_NAME));
        Map<TopicPartition, Long> offsets;
        try {
            offsets = new HashMap<>(file.read());
        } catch (IOException e) {
            log.warn(
                    "ignoring unreadable {}: compacted logs will be cleaned from their start: {}",
                    file.file(),
                    e.toString());
            offsets = new HashMap<>();
        }
        return new CleanerCheckpoints(file, offsets);
    }

    /** The checkpointed offset of {@code tp}, or {@link CleanableRange#NO_CHECKPOINT}. */
    public long get(TopicPartition tp) {
        return offsets.getOrDefault(tp, CleanableRange.NO_CHECKPOINT);
    }

    public Map<TopicPartition, Long> all() {
        return Map.copyOf(offsets);
    }

    /** Records {@code offset} for {@code tp} and writes the file. */
    public void update(TopicPartition tp, long offset) throws IOException {
        offsets.put(tp, offset);
        file.write(offsets);
    }

    /** Forgets {@code tp} (its topic was deleted) and writes the file if it was there. */
    public void remove(TopicPartition tp) throws IOException {
        if (offsets.remove(tp) != null) {
            file.write(offsets);
        }
    }
}
