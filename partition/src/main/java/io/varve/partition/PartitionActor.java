package io.varve.partition;

import io.varve.metadata.Controller;
import io.varve.metadata.LocalOnly;
import io.varve.metadata.PartitionRegistration;
import io.varve.storage.cleaner.CleanableRange;
import io.varve.storage.cleaner.CleaningResult;
import io.varve.storage.cleaner.CleaningSnapshot;
import io.varve.storage.cleaner.SwapOutcome;
import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogDirectory;
import io.varve.storage.log.LogSlice;
import io.varve.storage.log.RecordError;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One hosted replica of a partition: owns its {@code PartitionLog} and, as leader, the high
 * watermark, the ISR and the waiting fetches. Spawned by the replica manager on {@code
 * varve.storage-dispatcher}, so disk work never blocks the default dispatcher and one partition's
 * appends are serial without locks.
 *
 * <p>Messages carrying {@link MemoryRecords} or {@link LogSlice}s are local-only: they never cross
 * nodes, so they do not implement {@code VarveSerializable}.
 */
public final class PartitionActor {
    /** Restarts after a bug in a handler allowed within {@link #MAX_RESTARTS_WITHIN}; one more stops the actor. */
    public static final int MAX_RESTARTS = 3;

    public static final Duration MAX_RESTARTS_WITHIN = Duration.ofMinutes(1);

    private PartitionActor() {}

    public sealed interface Command extends LocalOnly {}

    /**
     * Appends a producer's records. {@code requiredAcks} 0/1 answer after the local append; -1
     * (all) answers when the high watermark passes the batch or after {@code timeoutMs}. A
     * transactional producer's first batch in this partition for a transaction is first checked
     * with its coordinator ({@link TransactionVerifier}), as {@code verification} says.
     *
     * @param transactionalId the produce request's transactional id, null for other producers
     */
    public record Append(
            MemoryRecords records,
            short requiredAcks,
            int timeoutMs,
            String transactionalId,
            TxnVerification verification,
            ActorRef<AppendResponse> replyTo)
            implements Command {

        /** A non-transactional append. */
        public Append(MemoryRecords records, short requiredAcks, int timeoutMs, ActorRef<AppendResponse> replyTo) {
            this(records, requiredAcks, timeoutMs, null, TxnVerification.DEFAULT_ERROR, replyTo);
        }
    }

    /**
     * What a transactional produce may expect from the coordinator check, by produce version
     * (Kafka's {@code TransactionSupportedOperation}): before v11 errors are mapped to ones old
     * clients know; v11 verifies and may answer {@code TRANSACTION_ABORTABLE}; from v12 (transaction
     * version 2) the leader adds the partition to the transaction itself.
     */
    public enum TxnVerification {
        DEFAULT_ERROR,
        GENERIC_ERROR_SUPPORTED,
        ADD_PARTITION;

        /** The operation for a produce request of {@code version}. */
        public static TxnVerification forProduceVersion(short version) {
            if (version > 11) {
                return ADD_PARTITION;
            }
            return version > 10 ? GENERIC_ERROR_SUPPORTED : DEFAULT_ERROR;
        }

        /** Whether the producer uses transaction version 2 (an epoch bump with every transaction). */
        public boolean supportsEpochBump() {
            return this == ADD_PARTITION;
        }
    }

    /** {@code recordErrors}: the records that caused {@code error} (KIP-467), empty if the whole append did. */
    public record AppendResponse(
            TopicPartition tp,
            Errors error,
            String message,
            long baseOffset,
            long logAppendTimeMs,
            long logStartOffset,
            List<RecordError> recordErrors)
            implements LocalOnly {
        public AppendResponse {
            recordErrors = List.copyOf(recordErrors);
        }

        public AppendResponse(
                TopicPartition tp,
                Errors error,
                String message,
                long baseOffset,
                long logAppendTimeMs,
                long logStartOffset) {
            this(tp, error, message, baseOffset, logAppendTimeMs, logStartOffset, List.of());
        }
    }

    /**
     * Reads from {@code fetchOffset} up to the high watermark ({@code readCommitted}: the last stable
     * offset). {@code currentLeaderEpoch} -1 skips the epoch check (KIP-320).
     */
    public record Read(
            long fetchOffset,
            int maxBytes,
            boolean readCommitted,
            boolean minOneBatch,
            int currentLeaderEpoch,
            ActorRef<ReadResponse> replyTo)
            implements Command {}

    /** {@code slice} is null when {@code error} is not NONE. */
    public record ReadResponse(
            TopicPartition tp,
            Errors error,
            String message,
            LogSlice slice,
            long highWatermark,
            long lastStableOffset,
            long logStartOffset,
            List<AbortedTxn> abortedTransactions)
            implements LocalOnly {}

    /**
     * Long poll (Kafka's DelayedFetch): {@code read} is answered, as a {@link Read} would be, as soon
     * as data at or past {@code awaitOffset} is readable — at once if it already is, or if the read
     * would fail (out of range, fenced epoch, offline log) — or with {@code NOT_LEADER_OR_FOLLOWER}
     * when the partition stops or stops leading. One message answers the wake-up with the data.
     *
     * <p>Never answered once {@code fetchCompleted} is true (the fetch answered without this
     * partition: another one woke it, or its {@code maxWaitMs} passed): such a waiter is dropped on
     * the partition's next long poll or sweep, and in any case within twice {@code maxWaitMs}.
     */
    public record AwaitData(Read read, long awaitOffset, int maxWaitMs, BooleanSupplier fetchCompleted)
            implements Command {}

    /** ListOffsets: -2 earliest, -1 latest, -3 max timestamp, -4 earliest local, else a timestamp. */
    public record ListOffsets(
            long timestamp, boolean readCommitted, int currentLeaderEpoch, ActorRef<ListOffsetsResponse> replyTo)
            implements Command {}

    /** {@code offset}/{@code timestamp} -1 when no record matches. */
    public record ListOffsetsResponse(TopicPartition tp, Errors error, long timestamp, long offset, int leaderEpoch)
            implements LocalOnly {}

    /** DeleteRecords: -1 means up to the high watermark. */
    public record DeleteRecords(long offset, ActorRef<DeleteRecordsResponse> replyTo) implements Command {}

    public record DeleteRecordsResponse(TopicPartition tp, Errors error, long lowWatermark) implements LocalOnly {}

    public record DescribeProducers(ActorRef<ProducersResponse> replyTo) implements Command {}

    public record ProducerState(
            long producerId,
            int producerEpoch,
            int lastSequence,
            long lastTimestamp,
            int coordinatorEpoch,
            long currentTxnStartOffset)
            implements LocalOnly {}

    public record ProducersResponse(TopicPartition tp, Errors error, List<ProducerState> producers)
            implements LocalOnly {}

    /**
     * Writes a transaction marker for the coordinator (WriteTxnMarkers): a commit or abort control
     * batch for {@code producerId}, answered once the high watermark passes it (Kafka appends markers
     * with acks=all) or after {@code timeoutMs}.
     *
     * @param coordinatorEpoch fences markers of a coordinator older than the last one seen
     * @param transactionVersion 2 when the marker carries the bumped epoch of transaction version 2
     */
    public record WriteTxnMarker(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            short transactionVersion,
            int timeoutMs,
            ActorRef<TxnMarkerWritten> replyTo)
            implements Command {}

    /** The outcome of a {@link WriteTxnMarker}: {@code NONE}, or Kafka's error with why. */
    public record TxnMarkerWritten(TopicPartition tp, Errors error, String message) implements LocalOnly {}

    /** For DescribeLogDirs and the data directory's checkpoints. */
    public record DescribeLog(ActorRef<LogDescription> replyTo) implements Command {}

    public record LogDescription(
            TopicPartition tp,
            long sizeBytes,
            long logStartOffset,
            long logEndOffset,
            long highWatermark,
            long recoveryPoint,
            boolean offline)
            implements LocalOnly {}

    /** New registration (leader, epoch, ISR) or new topic config from metadata. */
    public record UpdateRegistration(PartitionRegistration registration, LogConfig config) implements Command {}

    // ---- replication: a follower's fetch on the leader (Fetch with a replica id) ----

    /**
     * A follower's fetch from this leader: the KIP-320 epoch check, the divergence check on {@code
     * lastFetchedEpoch} (Fetch v12+: a diverging epoch and no records when the follower's log left the
     * leader's lineage), then whole batches from {@code fetchOffset} up to the log end offset. The
     * fetch offset is the follower's log end offset: it moves the high watermark and the follower's
     * ISR standing. {@code lastFetchedEpoch} -1 skips the divergence check.
     */
    public record ReplicaRead(
            int replicaId,
            long replicaBrokerEpoch,
            long fetchOffset,
            long replicaLogStartOffset,
            int currentLeaderEpoch,
            int lastFetchedEpoch,
            int maxBytes,
            ActorRef<ReplicaReadResponse> replyTo)
            implements Command {}

    /**
     * {@code slice} is null on error or divergence; {@code divergingEpoch} is -1 unless the follower
     * must truncate to the end of that epoch, {@code divergingEndOffset}.
     */
    public record ReplicaReadResponse(
            TopicPartition tp,
            Errors error,
            String message,
            LogSlice slice,
            long highWatermark,
            long lastStableOffset,
            long logStartOffset,
            int divergingEpoch,
            long divergingEndOffset)
            implements LocalOnly {}

    /**
     * A follower's long poll: answered once the log end offset passes {@code fetchOffset}, or when
     * the partition stops leading. As for {@link AwaitData}, {@code fetchCompleted} tells when the
     * replica fetch no longer waits for this partition; such a waiter is dropped on the next long
     * poll or sweep, so an idle partition polled by its followers holds at most their live polls.
     */
    public record AwaitLogEnd(
            long fetchOffset, int maxWaitMs, BooleanSupplier fetchCompleted, ActorRef<DataAvailable> replyTo)
            implements Command {}

    /** The answer to {@link AwaitLogEnd}. */
    public record DataAvailable(TopicPartition tp) implements LocalOnly {}

    /**
     * OffsetsForLeaderEpoch (API 23): the end offset of the largest epoch at or below {@code
     * leaderEpoch} in this replica's lineage. Consumers ({@code fetchOnlyFromLeader}) are answered by
     * the leader only.
     */
    public record LastOffsetForLeaderEpoch(
            int currentLeaderEpoch, int leaderEpoch, boolean fetchOnlyFromLeader, ActorRef<EpochEndOffset> replyTo)
            implements Command {}

    /** {@code leaderEpoch}/{@code endOffset} are -1 when the epoch is unknown. */
    public record EpochEndOffset(TopicPartition tp, Errors error, int leaderEpoch, long endOffset)
            implements LocalOnly {}

    // ---- replication: the follower, driven by its ReplicaFetcher ----

    /**
     * The leader's batches for this follower, appended byte for byte; the follower's high watermark
     * becomes the leader's (capped at its own log end offset). Refused when {@code leaderEpoch} is not
     * the epoch this replica follows.
     */
    public record AppendAsFollower(
            int leaderEpoch,
            MemoryRecords records,
            long leaderHighWatermark,
            long leaderLogStartOffset,
            ActorRef<FollowerProgress> replyTo)
            implements Command {}

    /** The leader answered a diverging epoch: truncate to the leader's lineage (Kafka's rules). */
    public record TruncateToEpoch(
            int leaderEpoch, int divergingEpoch, long divergingEndOffset, ActorRef<FollowerProgress> replyTo)
            implements Command {}

    /**
     * The leader answered OFFSET_OUT_OF_RANGE: behind its log start offset the log starts over there,
     * otherwise it is truncated to the leader's high watermark.
     */
    public record ResetOutOfRange(
            int leaderEpoch, long leaderLogStartOffset, long leaderHighWatermark, ActorRef<FollowerProgress> replyTo)
            implements Command {}

    /** Where the follower fetches next: its log end offset and the epoch of its last batch (-1: none). */
    public record FollowerProgress(
            TopicPartition tp, Errors error, String message, long logEndOffset, int lastFetchedEpoch)
            implements LocalOnly {}

    /** Stops the replica, closing the log cleanly, or deleting it when the topic was deleted. */
    public record Stop(boolean deleteLog, ActorRef<Stopped> replyTo) implements Command {}

    public record Stopped(TopicPartition tp) implements LocalOnly {}

    // ---- the log cleaner's protocol (see docs/storage.md, "Compaction") ----

    /**
     * How dirty is the log? {@code checkpoint} is the offset the cleaner last cleaned it up to ({@code
     * CleanableRange.NO_CHECKPOINT} if never).
     */
    public record DescribeCleanable(long checkpoint, ActorRef<CleanableDescription> replyTo) implements Command {}

    /**
     * {@code range} is null when the log is not compacted or is offline; {@code minCleanableDirtyRatio} is
     * the topic's {@code min.cleanable.dirty.ratio}.
     */
    public record CleanableDescription(TopicPartition tp, CleanableRange range, double minCleanableDirtyRatio)
            implements LocalOnly {}

    /**
     * The cleaner picked this log: the replica snapshots the closed segments to clean (with their own
     * file handles) and hands the snapshot over.
     */
    public record StartCleaning(long checkpoint, ActorRef<CleaningStarted> replyTo) implements Command {}

    /** {@code snapshot} (owned by the receiver, who closes it) is null when {@code refusal} says why not. */
    public record CleaningStarted(TopicPartition tp, CleaningSnapshot snapshot, String refusal) implements LocalOnly {}

    /** The cleaned segments are on disk: the replica swaps them in (or removes them if the log changed). */
    public record SwapCleaned(CleaningResult result, ActorRef<CleanedSwapped> replyTo) implements Command {}

    public record CleanedSwapped(TopicPartition tp, CleaningResult result, SwapOutcome outcome) implements LocalOnly {}

    // ---- private messages: timer ticks and pipeToSelf results ----

    /** Timer: the {@code acks=all} append or marker parked under {@code id} waited its {@code timeoutMs}. */
    record AppendTimedOut(long id) implements Command {}

    /** A roll's segment flush finished off the actor; {@code failure} is null on success. */
    record Flushed(long offset, Throwable failure) implements Command {}

    /** The coordinator answered the check of a transactional append that {@code guard} waits for. */
    record TxnVerified(Append append, long producerId, long guard, Errors error) implements Command {}

    /** Timer: apply retention ({@code retention-check-interval}). */
    record RetentionCheck() implements Command {}

    /** Timer: apply {@code flush.ms} ({@code flush-check-interval}). */
    record FlushCheck() implements Command {}

    /** Timer: drop idle producers ({@code producer-id-expiration-check-interval}). */
    record ProducerExpirationCheck() implements Command {}

    /** Timer of a leader: look for followers out of sync for {@code replica.lag.time.max.ms}. */
    record IsrCheck() implements Command {}

    /** The controller answered this leader's AlterPartition. */
    record AlterPartitionAnswered(Controller.AlterPartitionResult result) implements Command {}

    /** Timer: drop long polls whose fetch completed or whose max wait passed ({@link FetchWaiters#sweep}). */
    record SweepFetchWaiters() implements Command {}

    /** How many long polls are parked here (tests and diagnostics). */
    record CountFetchWaiters(ActorRef<Integer> replyTo) implements Command {}

    /**
     * The behavior. Opens (and if needed recovers) the log of {@code spec.tp()} in its log directory on
     * the storage dispatcher before accepting commands. The caller spawns it with {@code
     * DispatcherSelector.fromConfig("varve.storage-dispatcher")}. If the log cannot be opened, every
     * command is answered with {@code KAFKA_STORAGE_ERROR}.
     */
    public static Behavior<Command> create(ReplicaSpec spec) {
        TopicPartition tp = spec.tp();
        Behavior<Command> open = Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            HostedReplica replica;
            try {
                replica = HostedReplica.open(spec);
            } catch (IOException | RuntimeException e) {
                context.getLog().error("cannot open the log of {}: the partition is offline", tp, e);
                return new OfflineBehavior(
                        context,
                        tp,
                        spec.logDirectory().partitionDir(tp),
                        "log of " + tp + " is offline: " + e.getMessage());
            }
            return ReplicaBehavior.start(context, timers, replica, spec.settings());
        }));
        // a bug in a handler answers that request UNKNOWN_SERVER_ERROR (RequestFailureInterceptor), then
        // restarts the replica, which closes and reopens its log (PreRestart); past the limit the actor
        // stops, and the replica manager (which watches it) puts it offline
        return Behaviors.supervise(Behaviors.intercept(() -> new RequestFailureInterceptor(tp), open))
                .onFailure(
                        RuntimeException.class,
                        SupervisorStrategy.restart().withLimit(MAX_RESTARTS, MAX_RESTARTS_WITHIN));
    }

    /**
     * A replica that answers every command {@code KAFKA_STORAGE_ERROR} (and DescribeLog offline), as
     * Kafka answers for a partition in an offline log directory, holding no file: what the replica
     * manager hosts in place of a partition actor that stopped after failing, so callers get an
     * error code at once instead of waiting for a dead actor. {@code Stop} stops it (deleting the
     * partition's directory when asked).
     */
    public static Behavior<Command> offline(LogDirectory logDirectory, TopicPartition tp, String reason) {
        return Behaviors.setup(context ->
                new OfflineBehavior(context, tp, logDirectory.partitionDir(tp), tp + " is offline: " + reason));
    }
}
