package io.varve.partition;

import io.varve.partition.PartitionActor.AlterPartitionAnswered;
import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AppendTimedOut;
import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.AwaitLogEnd;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.CountFetchWaiters;
import io.varve.partition.PartitionActor.DeleteRecords;
import io.varve.partition.PartitionActor.DeleteRecordsResponse;
import io.varve.partition.PartitionActor.IsrCheck;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.ReplicaRead;
import io.varve.partition.PartitionActor.SweepFetchWaiters;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.storage.log.AppendResult;
import io.varve.storage.log.PartitionLog;
import io.varve.storage.log.ReadResult;
import io.varve.storage.log.RecordError;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The partition's leader: appends producers' batches at the current leader epoch, keeps the ISR and
 * the high watermark ({@link LeaderState}), parks {@code acks=all} appends until the high watermark
 * passes them ({@link DelayedAppends}, one timer each) and long polls until data is readable
 * ({@link FetchWaiters}, answered with the read itself; one sweep timer drops those whose fetch
 * completed elsewhere or timed out), and answers reads, ListOffsets and DeleteRecords up to the high
 * watermark.
 *
 * <p>The last stable offset equals the high watermark until transactions write markers. Runs on
 * {@code varve.storage-dispatcher}; becomes a {@link FollowerBehavior} when a registration names
 * another leader.
 */
final class LeaderBehavior extends ReplicaBehavior {
    /**
     * Reads up to this size are answered with the bytes (read here, on the storage dispatcher):
     * handing a small slice to {@code sendfile} costs a thread hop, more than the copy. Larger reads
     * stay zero-copy: their slice holds the segment file until the fetch has sent it.
     */
    static final int INLINE_READ_MAX_BYTES = 16 * 1024;

    private static final short ACKS_ALL = -1;

    private record ParkedAppend(ActorRef<AppendResponse> replyTo, AppendResponse response) {}

    private record AppendTimerKey(long id) {}

    private final LeaderState state;
    private final LeaderReplication replication;
    private final DelayedAppends<ParkedAppend> delayedAppends = new DelayedAppends<>();
    private final FetchWaiters<AwaitData> fetchWaiters = new FetchWaiters<>();

    LeaderBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            HostedReplica replica,
            PartitionSettings settings) {
        super(context, timers, replica, settings);
        replica.becomeLeader();
        PartitionLog log = replica.log();
        this.state = new LeaderState(
                replica.localNodeId(),
                replica.registration().isr(),
                log.logEndOffset(),
                Math.max(replica.highWatermark(), log.logStartOffset()),
                System.currentTimeMillis());
        this.replication = new LeaderReplication(context, timers, replica, state);
        replica.highWatermark(state.highWatermark());
        context.getLog()
                .info(
                        "leading {} at epoch {}: ISR {}, log end offset {}, high watermark {}",
                        replica.tp(),
                        replica.leaderEpoch(),
                        state.isr(),
                        log.logEndOffset(),
                        state.highWatermark());
    }

    @Override
    public Receive<Command> createReceive() {
        return commonReceive()
                .onMessage(Append.class, this::onAppend)
                .onMessage(AppendTimedOut.class, this::onAppendTimedOut)
                .onMessage(Read.class, this::onRead)
                .onMessage(AwaitData.class, this::onAwaitData)
                .onMessage(SweepFetchWaiters.class, this::onSweepFetchWaiters)
                .onMessage(CountFetchWaiters.class, this::onCountFetchWaiters)
                .onMessage(ListOffsets.class, this::onListOffsets)
                .onMessage(DeleteRecords.class, this::onDeleteRecords)
                .onMessage(UpdateRegistration.class, this::onUpdateRegistration)
                .onMessage(ReplicaRead.class, this::onReplicaRead)
                .onMessage(AwaitLogEnd.class, this::onAwaitLogEnd)
                .onMessage(IsrCheck.class, this::onIsrCheck)
                .onMessage(AlterPartitionAnswered.class, this::onAlterPartitionAnswered)
                .build();
    }

    private Behavior<Command> onReplicaRead(ReplicaRead read) {
        boolean[] highWatermarkMoved = {false};
        read.replyTo().tell(replication.read(read, highWatermarkMoved));
        if (highWatermarkMoved[0]) {
            onHighWatermarkMoved();
        }
        return this;
    }

    private Behavior<Command> onAwaitLogEnd(AwaitLogEnd await) {
        if (replication.awaitLogEnd(await)) {
            ensureSweep(await.maxWaitMs());
        }
        return this;
    }

    private Behavior<Command> onIsrCheck(IsrCheck check) {
        replication.onIsrCheck();
        return this;
    }

    private Behavior<Command> onAlterPartitionAnswered(AlterPartitionAnswered answered) {
        replication.onAnswered(answered).ifPresent(committed -> {
            if (replica.applyRegistration(committed, null) && state.onIsrChange(committed.isr())) {
                onHighWatermarkMoved();
            }
        });
        return this;
    }

    @Override
    protected boolean isLeading() {
        return true;
    }

    /** The end of what consumers may read: the high watermark or, read_committed, the last stable offset. */
    private long fetchableEnd(boolean readCommitted) {
        return readCommitted ? lastStableOffset() : state.highWatermark();
    }

    private long lastStableOffset() {
        return state.highWatermark();
    }

    @Override
    protected long stableOffset() {
        return lastStableOffset();
    }

    private Behavior<Command> onAppend(Append append) {
        Optional<Rejection> rejected = checkAppend(append);
        if (rejected.isPresent()) {
            append.replyTo()
                    .tell(appendFailed(rejected.get().error(), rejected.get().message()));
            return this;
        }
        AppendResult result = replica.log().appendAsLeader(append.records(), replica.leaderEpoch());
        if (result instanceof AppendResult.Rejected failed) {
            append.replyTo().tell(appendFailed(failed.error(), failed.message(), failed.recordErrors()));
            return this;
        }
        AppendResult.Appended appended = (AppendResult.Appended) result;
        maybeStartRollFlush();
        replication.onLogEndMoved();
        if (state.onLeaderLogEnd(replica.log().logEndOffset())) {
            onHighWatermarkMoved();
        }
        AppendResponse response = new AppendResponse(
                tp(), Errors.NONE, null, appended.firstOffset(), appended.logAppendTimeMs(), appended.logStartOffset());
        if (append.requiredAcks() != ACKS_ALL) {
            append.replyTo().tell(response);
        } else if (state.highWatermark() > appended.lastOffset()) {
            append.replyTo().tell(acknowledgeAll(response));
        } else {
            long id = delayedAppends.park(appended.lastOffset() + 1, new ParkedAppend(append.replyTo(), response));
            timers.startSingleTimer(
                    new AppendTimerKey(id), new AppendTimedOut(id), Duration.ofMillis(Math.max(0, append.timeoutMs())));
        }
        return this;
    }

    private Optional<Rejection> checkAppend(Append append) {
        short acks = append.requiredAcks();
        if (acks != ACKS_ALL && acks != 0 && acks != 1) {
            return Optional.of(
                    new Rejection(Errors.INVALID_REQUIRED_ACKS, "acks " + acks + " is not -1, 0 or 1 for " + tp()));
        }
        int minIsr = replica.minInsyncReplicas();
        if (acks == ACKS_ALL && state.isrSize() < minIsr) {
            return Optional.of(new Rejection(
                    Errors.NOT_ENOUGH_REPLICAS,
                    "ISR " + state.isr() + " of " + tp() + " has " + state.isrSize() + " replica(s), fewer than "
                            + "min.insync.replicas " + minIsr));
        }
        return Optional.empty();
    }

    /**
     * An {@code acks=all} append the high watermark covers: Kafka still answers {@code
     * NOT_ENOUGH_REPLICAS_AFTER_APPEND} when the ISR shrank below {@code min.insync.replicas} meanwhile.
     */
    private AppendResponse acknowledgeAll(AppendResponse response) {
        int minIsr = replica.minInsyncReplicas();
        if (state.isrSize() < minIsr) {
            return appendFailed(
                    Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                    "appended at offset " + response.baseOffset() + " but ISR " + state.isr() + " of " + tp()
                            + " is smaller than min.insync.replicas " + minIsr);
        }
        return response;
    }

    private AppendResponse appendFailed(Errors error, String message) {
        return appendFailed(error, message, List.of());
    }

    private AppendResponse appendFailed(Errors error, String message, List<RecordError> recordErrors) {
        return new AppendResponse(
                tp(),
                error,
                message,
                -1L,
                RecordBatch.NO_TIMESTAMP,
                replica.log().logStartOffset(),
                recordErrors);
    }

    private Behavior<Command> onAppendTimedOut(AppendTimedOut timedOut) {
        delayedAppends.remove(timedOut.id()).ifPresent(parked -> parked.waiter()
                .replyTo()
                .tell(appendFailed(
                        Errors.REQUEST_TIMED_OUT,
                        "acks=all append at offset "
                                + parked.waiter().response().baseOffset() + " to " + tp()
                                + " was not replicated to ISR " + state.isr() + " in time: high watermark "
                                + state.highWatermark() + ", needed " + parked.requiredOffset())));
        return this;
    }

    private void onHighWatermarkMoved() {
        long highWatermark = state.highWatermark();
        replica.highWatermark(highWatermark);
        for (DelayedAppends.Parked<ParkedAppend> parked : delayedAppends.releaseUpTo(highWatermark)) {
            timers.cancel(new AppendTimerKey(parked.id()));
            parked.waiter().replyTo().tell(acknowledgeAll(parked.waiter().response()));
        }
        for (AwaitData waiter : fetchWaiters.releaseBelow(fetchableEnd(false))) {
            if (!isAbandoned(waiter)) {
                read(waiter.read());
            }
        }
    }

    private Behavior<Command> onRead(Read read) {
        read(read);
        return this;
    }

    /** Answers {@code read} (also a long poll's, when data arrives): records up to the fetchable end. */
    private void read(Read read) {
        Optional<Rejection> rejected = replica.checkLeaderEpoch(read.currentLeaderEpoch());
        if (rejected.isPresent()) {
            read.replyTo()
                    .tell(readFailed(rejected.get().error(), rejected.get().message()));
            return;
        }
        ReadResult result = replica.log()
                .read(
                        read.fetchOffset(),
                        read.maxBytes(),
                        fetchableEnd(read.readCommitted()),
                        read.minOneBatch(),
                        INLINE_READ_MAX_BYTES);
        if (result instanceof ReadResult.Failed failed) {
            read.replyTo().tell(readFailed(failed.error(), failed.message()));
        } else {
            ReadResult.Data data = (ReadResult.Data) result;
            read.replyTo()
                    .tell(new ReadResponse(
                            tp(),
                            Errors.NONE,
                            null,
                            data.slice(),
                            state.highWatermark(),
                            lastStableOffset(),
                            data.logStartOffset(),
                            List.of()));
        }
    }

    private ReadResponse readFailed(Errors error, String message) {
        return new ReadResponse(
                tp(),
                error,
                message,
                null,
                state.highWatermark(),
                lastStableOffset(),
                replica.log().logStartOffset(),
                List.of());
    }

    /**
     * A long poll: read now if there is data past what the fetch has seen, or if the read would fail
     * (offset out of range, fenced epoch, offline log: the fetch must hear it), else park it.
     */
    private Behavior<Command> onAwaitData(AwaitData await) {
        PartitionLog log = replica.log();
        Read read = await.read();
        long fetchOffset = read.fetchOffset();
        boolean readableNow = fetchableEnd(read.readCommitted()) > await.awaitOffset();
        boolean outOfRange = fetchOffset < log.logStartOffset() || fetchOffset > log.logEndOffset();
        boolean rejected = replica.checkLeaderEpoch(read.currentLeaderEpoch()).isPresent();
        if (readableNow || outOfRange || rejected || log.isOffline()) {
            read(read);
        } else {
            park(await);
        }
        return this;
    }

    /**
     * Parks a long poll, first dropping those whose fetch completed meanwhile, so a consumer polling
     * an idle partition leaves at most its live poll here; the sweep timer clears the rest.
     */
    private void park(AwaitData await) {
        fetchWaiters.removeAbandoned(LeaderBehavior::isAbandoned);
        fetchWaiters.add(await.awaitOffset(), await.maxWaitMs(), await);
        ensureSweep(await.maxWaitMs());
    }

    private void ensureSweep(int maxWaitMs) {
        if (!timers.isTimerActive(SweepFetchWaiters.class)) {
            timers.startSingleTimer(
                    SweepFetchWaiters.class, new SweepFetchWaiters(), Duration.ofMillis(Math.max(1, maxWaitMs)));
        }
    }

    /** Sweeps consumers' and followers' long polls; the next sweep after the longest max wait left. */
    private Behavior<Command> onSweepFetchWaiters(SweepFetchWaiters sweep) {
        OptionalInt consumers = fetchWaiters.sweep(LeaderBehavior::isAbandoned);
        OptionalInt followers = replication.sweepWaiters();
        int delayMs = Math.max(consumers.orElse(-1), followers.orElse(-1));
        if (delayMs >= 0) {
            timers.startSingleTimer(
                    SweepFetchWaiters.class, new SweepFetchWaiters(), Duration.ofMillis(Math.max(1, delayMs)));
        }
        return this;
    }

    /** Consumers' and followers' long polls parked here. */
    private Behavior<Command> onCountFetchWaiters(CountFetchWaiters count) {
        count.replyTo().tell(fetchWaiters.size() + replication.waiterCount());
        return this;
    }

    /** The fetch answered without this partition: nobody reads what it would be sent. */
    private static boolean isAbandoned(AwaitData await) {
        return await.fetchCompleted().getAsBoolean();
    }

    private Behavior<Command> onListOffsets(ListOffsets list) {
        Optional<Rejection> rejected = replica.checkLeaderEpoch(list.currentLeaderEpoch());
        if (rejected.isPresent()) {
            list.replyTo().tell(listOffsetsFailed(rejected.get().error()));
        } else if (replica.log().isOffline()) {
            list.replyTo().tell(listOffsetsFailed(Errors.KAFKA_STORAGE_ERROR));
        } else {
            ListOffsetsResponse found = OffsetLookup.lookup(
                    replica.log(), list.timestamp(), fetchableEnd(list.readCommitted()), replica.leaderEpoch());
            list.replyTo()
                    .tell(
                            isLaggingNewLeader(list.timestamp(), found)
                                    ? listOffsetsFailed(Errors.OFFSET_NOT_AVAILABLE)
                                    : found);
        }
        return this;
    }

    /**
     * KIP-207: until a new leader's high watermark reaches the offset where its epoch began, it
     * answers OFFSET_NOT_AVAILABLE for the latest offset, and for a timestamp lookup that finds
     * nothing below the high watermark, as Kafka does; so ListOffsets latest never goes backwards
     * across a leader change. The earliest offsets are always answered.
     */
    private boolean isLaggingNewLeader(long timestamp, ListOffsetsResponse found) {
        if (replica.leaderEpochStartOffset() <= state.highWatermark()
                || timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
                || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            return false;
        }
        return timestamp == ListOffsetsRequest.LATEST_TIMESTAMP || found.offset() < 0;
    }

    private ListOffsetsResponse listOffsetsFailed(Errors error) {
        return new ListOffsetsResponse(
                tp(), error, RecordBatch.NO_TIMESTAMP, -1L, RecordBatch.NO_PARTITION_LEADER_EPOCH);
    }

    private Behavior<Command> onDeleteRecords(DeleteRecords delete) {
        PartitionLog log = replica.log();
        long highWatermark = state.highWatermark();
        long offset = delete.offset() == -1 ? highWatermark : delete.offset();
        if (!log.config().isDeleteRetention()) {
            delete.replyTo().tell(deleteFailed(Errors.POLICY_VIOLATION, "cleanup.policy of " + tp() + " is compact"));
        } else if (offset < 0 || offset > highWatermark) {
            delete.replyTo()
                    .tell(deleteFailed(
                            Errors.OFFSET_OUT_OF_RANGE,
                            "offset " + offset + " is outside [0, high watermark " + highWatermark + "] of " + tp()));
        } else {
            try {
                delete.replyTo().tell(new DeleteRecordsResponse(tp(), Errors.NONE, log.deleteRecordsBefore(offset)));
            } catch (IOException e) {
                delete.replyTo().tell(deleteFailed(Errors.KAFKA_STORAGE_ERROR, e.getMessage()));
            }
        }
        return this;
    }

    private DeleteRecordsResponse deleteFailed(Errors error, String message) {
        getContext().getLog().debug("DeleteRecords failed with {}: {}", error, message);
        return new DeleteRecordsResponse(tp(), error, -1L);
    }

    private Behavior<Command> onUpdateRegistration(UpdateRegistration update) {
        if (!replica.applyRegistration(update.registration(), update.config())) {
            return this;
        }
        if (!replica.isLeader()) {
            releaseWaiting();
            return ofRole(getContext(), timers, replica, settings);
        }
        if (update.registration().leaderEpoch() != replica.leaderEpochWhenLeading()) {
            replica.becomeLeader(); // re-elected at a new epoch: it starts at the log end offset
        }
        replication.onRegistration(update.registration());
        if (state.onIsrChange(update.registration().isr())) {
            onHighWatermarkMoved();
        }
        return this;
    }

    @Override
    protected void releaseWaiting() {
        for (DelayedAppends.Parked<ParkedAppend> parked : delayedAppends.drain()) {
            timers.cancel(new AppendTimerKey(parked.id()));
            parked.waiter()
                    .replyTo()
                    .tell(appendFailed(
                            Errors.NOT_LEADER_OR_FOLLOWER,
                            "node " + replica.localNodeId() + " stopped leading " + tp() + " before offset "
                                    + parked.requiredOffset() + " was replicated"));
        }
        timers.cancel(SweepFetchWaiters.class);
        for (AwaitData waiter : fetchWaiters.drain()) {
            if (!isAbandoned(waiter)) {
                waiter.read()
                        .replyTo()
                        .tell(readFailed(
                                Errors.NOT_LEADER_OR_FOLLOWER,
                                "node " + replica.localNodeId() + " stopped leading " + tp()
                                        + " while a fetch waited for data past offset " + waiter.awaitOffset()));
            }
        }
        replication.releaseWaiting();
    }
}
