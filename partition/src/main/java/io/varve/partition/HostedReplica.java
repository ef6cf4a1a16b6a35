package io.varve.partition;

import io.varve.metadata.PartitionRegistration;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import io.varve.partition.replication.ReplicationContext;
import io.varve.storage.checkpoint.PartitionMetadataFile;
import io.varve.storage.log.AppendResult;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogDirectory;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's local state, whatever its role: the open {@link PartitionLog}, the controller's
 * current {@link PartitionRegistration} and the last high watermark this node knew. Checks shared by
 * the leader and follower behaviors (leader epochs, KIP-320) and the log's housekeeping live here.
 *
 * <p>Not thread-safe: confined to its {@link PartitionActor}, which runs on {@code
 * varve.storage-dispatcher}, so the disk work done here (open, retention, flush, close, delete) is
 * allowed. Lifecycle: {@link #open} once, then {@link #close} once.
 */
final class HostedReplica {
    private static final Logger logger = LoggerFactory.getLogger(HostedReplica.class);

    private final TopicPartition tp;
    private final int localNodeId;
    private final PartitionLog log;
    private final Uuid topicId;
    private final ReplicationContext replication;
    private final TransactionVerifier verifier;
    private PartitionRegistration registration;
    private long highWatermark;
    private long leaderEpochStartOffset = -1L;
    private int leaderEpochWhenLeading = -1;
    private boolean closed;

    HostedReplica(TopicPartition tp, int localNodeId, PartitionLog log, PartitionRegistration registration) {
        this(
                tp,
                Uuid.ZERO_UUID,
                localNodeId,
                log,
                registration,
                log.logStartOffset(),
                ReplicationContext.standalone(),
                TransactionVerifier.DISABLED);
    }

    /**
     * @param checkpointedHighWatermark the high watermark of the data directory's checkpoint; the
     *     replica starts from it, within the log's bounds
     */
    HostedReplica(
            TopicPartition tp,
            Uuid topicId,
            int localNodeId,
            PartitionLog log,
            PartitionRegistration registration,
            long checkpointedHighWatermark,
            ReplicationContext replication,
            TransactionVerifier verifier) {
        this.tp = tp;
        this.topicId = topicId;
        this.localNodeId = localNodeId;
        this.log = log;
        this.registration = registration;
        this.replication = replication;
        this.verifier = verifier;
        highWatermark(Math.max(log.logStartOffset(), Math.min(checkpointedHighWatermark, log.logEndOffset())));
    }

    /**
     * Opens (recovering if needed) the log of {@code tp} and records {@code topicId} in its {@code
     * partition.metadata}. A directory that belongs to another topic id (a deleted topic of the same
     * name) is refused, as Kafka refuses it with {@code InconsistentTopicIdException}.
     */
    static HostedReplica open(ReplicaSpec spec) throws IOException {
        LogDirectory logDirectory = spec.logDirectory();
        TopicPartition tp = spec.tp();
        Uuid topicId = spec.topicId();
        PartitionMetadataFile metadataFile =
                new PartitionMetadataFile(logDirectory.partitionDir(tp).resolve(PartitionMetadataFile.FILE_NAME));
        Optional<Uuid> recorded = metadataFile.read();
        if (recorded.isPresent() && !recorded.get().equals(topicId)) {
            throw new IOException("directory of " + tp + " belongs to topic id " + recorded.get() + ", not " + topicId);
        }
        PartitionLog log = logDirectory.openLog(
                tp, spec.config(), spec.settings().producerIdExpiration().toMillis(), spec.clock());
        if (recorded.isEmpty() && !Uuid.ZERO_UUID.equals(topicId)) {
            try {
                metadataFile.write(topicId);
            } catch (IOException e) {
                log.close();
                throw e;
            }
        }
        return new HostedReplica(
                tp,
                topicId,
                spec.localNodeId(),
                log,
                spec.registration(),
                logDirectory.checkpointedHighWatermark(tp),
                spec.replication(),
                spec.verifier());
    }

    TopicPartition tp() {
        return tp;
    }

    int localNodeId() {
        return localNodeId;
    }

    Uuid topicId() {
        return topicId;
    }

    ReplicationContext replication() {
        return replication;
    }

    /**
     * This replica starts leading its registration's epoch: the epoch is recorded in the lineage at
     * the log end offset (Kafka's {@code maybeAssignEpochStartOffset}), which is where the epoch
     * starts (KIP-207's start offset).
     */
    void becomeLeader() {
        leaderEpochStartOffset = log.logEndOffset();
        leaderEpochWhenLeading = leaderEpoch();
        try {
            log.assignEpochStartOffset(leaderEpoch());
        } catch (IOException e) {
            logger.error("recording leader epoch {} of {} failed", leaderEpoch(), tp, e);
        }
    }

    /** The leader epoch {@link #becomeLeader} recorded last (-1 before). */
    int leaderEpochWhenLeading() {
        return leaderEpochWhenLeading;
    }

    /** Where the current leader epoch began on this leader (-1 unless leading). */
    long leaderEpochStartOffset() {
        return leaderEpochStartOffset;
    }

    /** A follower's high watermark: the leader's, never past its own log end offset, never backwards. */
    void followLeaderHighWatermark(long leaderHighWatermark) {
        long capped = Math.min(leaderHighWatermark, log.logEndOffset());
        if (capped > highWatermark) {
            highWatermark(capped);
        }
    }

    /** After a truncation the high watermark cannot exceed the log end offset. */
    void capHighWatermarkAtLogEnd() {
        highWatermark(Math.max(log.logStartOffset(), Math.min(highWatermark, log.logEndOffset())));
    }

    PartitionLog log() {
        return log;
    }

    PartitionRegistration registration() {
        return registration;
    }

    int leaderEpoch() {
        return registration.leaderEpoch();
    }

    boolean isLeader() {
        return registration.leader() == localNodeId;
    }

    /** The last high watermark this node knew (as leader, or later from its leader). */
    long highWatermark() {
        return highWatermark;
    }

    /** A new high watermark (either role); transactions whose marker it passed become stable. */
    void highWatermark(long highWatermark) {
        this.highWatermark = highWatermark;
        log.onHighWatermarkUpdated(highWatermark);
    }

    /** The last stable offset for the current high watermark (read_committed's end). */
    long lastStableOffset() {
        return log.lastStableOffset(highWatermark);
    }

    TransactionVerifier verifier() {
        return verifier;
    }

    int minInsyncReplicas() {
        return (Integer) log.config().values().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
    }

    /**
     * KIP-320: a client names the leader epoch it believes current; -1 skips the check. An older
     * epoch is fenced; a newer one means this node has not yet seen the new registration.
     */
    Optional<Rejection> checkLeaderEpoch(int currentLeaderEpoch) {
        int epoch = leaderEpoch();
        if (currentLeaderEpoch == -1 || currentLeaderEpoch == epoch) {
            return Optional.empty();
        }
        if (currentLeaderEpoch < epoch) {
            return Optional.of(new Rejection(
                    Errors.FENCED_LEADER_EPOCH,
                    "leader epoch " + currentLeaderEpoch + " is older than " + epoch + " of " + tp));
        }
        return Optional.of(new Rejection(
                Errors.UNKNOWN_LEADER_EPOCH,
                "leader epoch " + currentLeaderEpoch + " is newer than " + epoch + " known for " + tp));
    }

    /** Appends a coordinator's marker as leader, at the current leader epoch, after the log's fencing checks. */
    AppendResult appendTxnMarker(WriteTxnMarker marker) {
        return log.appendTxnMarker(
                marker.producerId(),
                marker.producerEpoch(),
                marker.coordinatorEpoch(),
                marker.commit(),
                leaderEpoch(),
                marker.transactionVersion());
    }

    /** Leader-only requests on a follower. */
    Rejection notLeader() {
        return new Rejection(
                Errors.NOT_LEADER_OR_FOLLOWER,
                "node " + localNodeId + " is not the leader of " + tp + " (leader " + registration.leader() + ", epoch "
                        + leaderEpoch() + ")");
    }

    /**
     * Applies a registration from the controller unless it is older than the one held (a lower
     * leader epoch, or the same epoch with a lower partition epoch), and a config if it changed.
     * Returns whether the registration was applied.
     */
    boolean applyRegistration(PartitionRegistration next, LogConfig config) {
        if (config != null && !config.equals(log.config())) {
            log.updateConfig(config);
        }
        boolean stale = next.leaderEpoch() < registration.leaderEpoch()
                || (next.leaderEpoch() == registration.leaderEpoch()
                        && next.partitionEpoch() < registration.partitionEpoch());
        if (stale) {
            logger.warn(
                    "ignoring stale registration of {}: leader epoch {} partition epoch {}, holding {} and {}",
                    tp,
                    next.leaderEpoch(),
                    next.partitionEpoch(),
                    registration.leaderEpoch(),
                    registration.partitionEpoch());
            return false;
        }
        registration = next;
        return true;
    }

    PartitionActor.LogDescription describe() {
        return new PartitionActor.LogDescription(
                tp,
                log.size(),
                log.logStartOffset(),
                log.logEndOffset(),
                highWatermark,
                log.recoveryPoint(),
                log.isOffline());
    }

    /** Retention by time, size and log start offset, then removal of files past their delete delay. */
    void applyRetention() {
        try {
            int deleted = log.deleteOldSegments(highWatermark);
            if (deleted > 0) {
                logger.info(
                        "retention deleted {} segment(s) of {}: log start offset {}",
                        deleted,
                        tp,
                        log.logStartOffset());
            }
            log.maybeDeleteFilesPastDelay();
        } catch (IOException e) {
            logger.error("retention failed for {}", tp, e);
        }
    }

    void flushByTime() {
        try {
            log.maybeFlushByTime();
        } catch (IOException e) {
            logger.error("scheduled flush failed for {}", tp, e);
        }
    }

    void removeExpiredProducers() {
        log.removeExpiredProducers();
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes the log cleanly; with {@code deleteLog} (topic deleted) also removes its directory. */
    void close(boolean deleteLog) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            log.close();
        } catch (IOException e) {
            logger.error("closing {} failed", tp, e);
        }
        if (deleteLog) {
            deleteRecursively(log.dir());
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            logger.error("deleting {} failed", dir, e);
        }
    }
}
