package io.varve.storage.log;

import io.varve.storage.checkpoint.OffsetCheckpointFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data directory holding partition logs, with Kafka's per-directory files:
 *
 * <pre>
 *   &lt;data-dir&gt;/
 *     orders-0/  orders-1/  ...              one {@link PartitionLog} each
 *     recovery-point-offset-checkpoint       per partition: offset below which data is fsynced
 *     log-start-offset-checkpoint            per partition: log start offset (DeleteRecords)
 *     replication-offset-checkpoint          per partition: high watermark
 *     .clean-shutdown                        present only while the node is stopped cleanly
 * </pre>
 *
 * {@link #open} reads and then removes the clean-shutdown marker, so a crash from then on is
 * detected at the next start; {@link #markCleanShutdown} writes it after every log is closed and
 * the checkpoints are written. Owned by the node's replica manager; the logs themselves are owned by
 * their partition actors.
 */
public final class LogDirectory {
    private static final Logger log = LoggerFactory.getLogger(LogDirectory.class);
    public static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    public static final String REPLICATION_OFFSET_CHECKPOINT = "replication-offset-checkpoint";

    private final Path dir;
    private final boolean hadCleanShutdown;
    private final OffsetCheckpointFile recoveryPoints;
    private final OffsetCheckpointFile logStartOffsets;
    private final Map<TopicPartition, Long> recoveryPointsAtOpen;
    private final Map<TopicPartition, Long> logStartOffsetsAtOpen;
    private volatile Map<TopicPartition, Long> checkpointedRecoveryPoints;
    private volatile Map<TopicPartition, Long> checkpointedLogStartOffsets;
    private final OffsetCheckpointFile highWatermarks;
    private volatile Map<TopicPartition, Long> checkpointedHighWatermarks;

    private LogDirectory(Path dir, boolean hadCleanShutdown) throws IOException {
        this.dir = dir;
        this.hadCleanShutdown = hadCleanShutdown;
        this.recoveryPoints = new OffsetCheckpointFile(dir.resolve(RECOVERY_POINT_CHECKPOINT));
        this.logStartOffsets = new OffsetCheckpointFile(dir.resolve(LOG_START_OFFSET_CHECKPOINT));
        this.recoveryPointsAtOpen = readOrEmpty(recoveryPoints);
        this.logStartOffsetsAtOpen = readOrEmpty(logStartOffsets);
        this.checkpointedRecoveryPoints = recoveryPointsAtOpen;
        this.checkpointedLogStartOffsets = logStartOffsetsAtOpen;
        this.highWatermarks = new OffsetCheckpointFile(dir.resolve(REPLICATION_OFFSET_CHECKPOINT));
        this.checkpointedHighWatermarks = readOrEmpty(highWatermarks);
    }

    /** Opens (creating) a data directory and consumes its clean-shutdown marker. */
    public static LogDirectory open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.deleteIfExists(marker);
        return new LogDirectory(dir, clean);
    }

    private static Map<TopicPartition, Long> readOrEmpty(OffsetCheckpointFile file) {
        try {
            return file.read();
        } catch (IOException e) {
            // a corrupt checkpoint only costs a longer recovery: every segment is scanned
            log.warn("ignoring unreadable checkpoint: {}", e.getMessage());
            return Map.of();
        }
    }

    public Path path() {
        return dir;
    }

    public boolean hadCleanShutdown() {
        return hadCleanShutdown;
    }

    /** The partitions that have a directory here, parsed from {@code <topic>-<partition>}. */
    public Set<TopicPartition> existingPartitions() throws IOException {
        Set<TopicPartition> found = new TreeSet<>((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        try (Stream<Path> listing = Files.list(dir)) {
            for (Path child : listing.filter(Files::isDirectory).toList()) {
                String name = child.getFileName().toString();
                int dash = name.lastIndexOf('-');
                if (dash <= 0 || name.contains(".")) {
                    continue;
                }
                try {
                    found.add(new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1))));
                } catch (NumberFormatException e) {
                    log.warn("ignoring directory {} in {}: not <topic>-<partition>", name, dir);
                }
            }
        }
        return found;
    }

    public Path partitionDir(TopicPartition tp) {
        return dir.resolve(LogFiles.dirName(tp.topic(), tp.partition()));
    }

    /** Opens (creating or recovering) the log of {@code tp} with the checkpointed offsets. */
    public PartitionLog openLog(TopicPartition tp, LogConfig config, long producerIdExpirationMs, Clock clock)
            throws IOException {
        return PartitionLog.open(
                partitionDir(tp),
                tp,
                config,
                recoveryPointsAtOpen.getOrDefault(tp, 0L),
                logStartOffsetsAtOpen.getOrDefault(tp, 0L),
                hadCleanShutdown,
                producerIdExpirationMs,
                clock);
    }

    /** Writes both checkpoint files (atomically, in Kafka's format). */
    public void writeCheckpoints(Map<TopicPartition, Long> recoveryPoints, Map<TopicPartition, Long> logStartOffsets)
            throws IOException {
        this.recoveryPoints.write(recoveryPoints);
        this.checkpointedRecoveryPoints = Map.copyOf(recoveryPoints);
        this.logStartOffsets.write(logStartOffsets);
        this.checkpointedLogStartOffsets = Map.copyOf(logStartOffsets);
    }

    /**
     * What the recovery-point checkpoint holds now (read at open, or last written): where a new
     * replica manager starts from, so it never writes back less than is on disk.
     */
    public Map<TopicPartition, Long> checkpointedRecoveryPoints() {
        return checkpointedRecoveryPoints;
    }

    /** What the log-start-offset checkpoint holds now (read at open, or last written). */
    public Map<TopicPartition, Long> checkpointedLogStartOffsets() {
        return checkpointedLogStartOffsets;
    }

    /**
     * The high watermark checkpointed for {@code tp} (Kafka's {@code replication-offset-checkpoint}:
     * read at open, or last written), or 0.
     */
    public long checkpointedHighWatermark(TopicPartition tp) {
        return checkpointedHighWatermarks.getOrDefault(tp, 0L);
    }

    /** What the high-watermark checkpoint holds now (read at open, or last written). */
    public Map<TopicPartition, Long> checkpointedHighWatermarks() {
        return checkpointedHighWatermarks;
    }

    /** Writes the high-watermark checkpoint (atomically, in Kafka's format). */
    public void writeHighWatermarks(Map<TopicPartition, Long> highWatermarksByPartition) throws IOException {
        highWatermarks.write(highWatermarksByPartition);
        this.checkpointedHighWatermarks = Map.copyOf(highWatermarksByPartition);
    }

    /** Writes the clean-shutdown marker; call after every log here is closed. */
    public void markCleanShutdown() throws IOException {
        Files.write(dir.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
    }
}
