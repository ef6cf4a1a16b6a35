package io.varve.storage.log;

import io.varve.storage.checkpoint.OffsetCheckpointFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>An I/O error in any log or checkpoint here fails the whole directory, as Kafka fails a log
 * directory: {@link #reportFailure} logs an ERROR naming the directory and the cause and tells the
 * {@link LogDirFailureListener} once (the node then stops). From then on no checkpoint and no
 * clean-shutdown marker is written and logs are not closed cleanly, so the next start recovers every
 * log past its last good recovery point and truncates a partial write. The failure flag is the only
 * state shared between threads (atomic).
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
    private final AtomicBoolean failed = new AtomicBoolean();
    private volatile LogDirFailureListener failureListener = LogDirFailureListener.NONE;

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

    /** Who is told when this directory fails (once); set by the node before any log opens. */
    public void onFailure(LogDirFailureListener listener) {
        this.failureListener = listener;
    }

    /** Whether an I/O error failed this directory. */
    public boolean failed() {
        return failed.get();
    }

    /**
     * Fails this directory after an I/O error in {@code operation}: the first failure is logged as an
     * ERROR and told to the listener; later ones (every other log here hits the same full disk) only
     * at DEBUG. Any thread.
     */
    public void reportFailure(String operation, Throwable cause) {
        if (failed.compareAndSet(false, true)) {
            log.error(
                    "the data directory {} failed: {} failed with {}. Every log in it is offline; the node stops"
                            + " (as Kafka halts a broker whose log directories have all failed). Free space or"
                            + " replace the disk, then start the node again: it recovers its logs.",
                    dir,
                    operation,
                    cause.toString(),
                    cause);
            failureListener.logDirFailed(dir, operation, cause);
        } else {
            log.debug("{} failed in the failed data directory {}: {}", operation, dir, cause.toString());
        }
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
        PartitionLog opened;
        try {
            opened = PartitionLog.open(
                    partitionDir(tp),
                    tp,
                    config,
                    recoveryPointsAtOpen.getOrDefault(tp, 0L),
                    logStartOffsetsAtOpen.getOrDefault(tp, 0L),
                    hadCleanShutdown,
                    producerIdExpirationMs,
                    clock);
        } catch (IOException e) {
            reportFailure("opening the log of " + tp, e);
            throw e;
        }
        opened.reportFailuresTo(this);
        return opened;
    }

    /** Writes both checkpoint files (atomically, in Kafka's format). */
    public void writeCheckpoints(Map<TopicPartition, Long> recoveryPoints, Map<TopicPartition, Long> logStartOffsets)
            throws IOException {
        if (failed()) {
            return; // offsets of a failed directory are not to be trusted: the next start recovers
        }
        try {
            this.recoveryPoints.write(recoveryPoints);
            this.logStartOffsets.write(logStartOffsets);
        } catch (IOException e) {
            reportFailure("writing the checkpoints", e);
            throw e;
        }
        this.checkpointedRecoveryPoints = Map.copyOf(recoveryPoints);
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
        if (failed()) {
            return;
        }
        try {
            highWatermarks.write(highWatermarksByPartition);
        } catch (IOException e) {
            reportFailure("writing the high-watermark checkpoint", e);
            throw e;
        }
        this.checkpointedHighWatermarks = Map.copyOf(highWatermarksByPartition);
    }

    /**
     * Writes the clean-shutdown marker; call after every log here is closed. Not in a failed directory:
     * its logs may end in a partial write, which only a recovery at the next start truncates.
     *
     * @return whether the marker was written
     */
    public boolean markCleanShutdown() throws IOException {
        if (failed()) {
            log.warn("no clean-shutdown marker in the failed data directory {}: the next start recovers its logs", dir);
            return false;
        }
        Files.write(dir.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
        return true;
    }
}
