package io.varve.partition;

import io.varve.partition.ParkedWrites.ParkedAppend;
import io.varve.partition.ParkedWrites.ParkedMarker;
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
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.partition.PartitionActor.TxnVerified;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.AppendResult;
import io.varve.storage.log.PartitionLog;
import io.varve.storage.log.ReadResult;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The partition's leader: appends producers' batches at the current leader epoch, keeps the ISR and
 * the high watermark ({@link LeaderState}), parks {@code acks=all} appends until the high watermark
 * passes them ({@link ParkedWrites}, one timer each) and long polls until data is readable
 * ({@link LongPolls}, answered with the read itself; one sweep timer drops those whose fetch
 * completed elsewhere or timed out), and answers reads, ListOffsets and DeleteRecords up to the high
 * watermark.
 *
 * <p>Transactions: a transactional producer's first batch of a transaction waits for its
 * coordinator's check ({@link TransactionalAppendGate}, KIP-890); the coordinator's markers are
 * written like {@code acks=all} appends; read_committed reads and long polls end at the last stable
 * offset, and reads report the aborted transactions of what they return. Runs on {@code
 * varve.storage-dispatcher}; becomes a {@link FollowerBehavior} when a registration names another
 * leader.
 */
final class LeaderBehavior extends ReplicaBehavior {
    /**
     * Reads up to this size are answered with the bytes (read here, on the storage dispatcher):
     * handing a small slice to {@code sendfile} costs a thread hop, more than the copy. Larger reads
     * stay zero-copy: their slice holds the segment file until the fetch has sent it.
     */
    static final int INLINE_READ_MAX_BYTES = 16 * 1024;

    private static final short ACKS_ALL = -1;

    private final LeaderState state;
    private final LeaderReplication replication;
    private final ParkedWrites parkedWrites;
    private final LongPolls longPolls;
    private final TransactionalAppendGate gate;

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
        this.parkedWrites = new ParkedWrites(timers, replica, state);
        this.longPolls = new LongPolls(timers);
        this.gate = new TransactionalAppendGate(context, replica);
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
                .onMessage(TxnVerified.class, this::onTxnVerified)
                .onMessage(WriteTxnMarker.class, this::onWriteTxnMarker)
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
            longPolls.ensureSweep(await.maxWaitMs());
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
        return readCommitted ? stableOffset() : state.highWatermark();
    }

    /** The last stable offset: consumers read_committed and the log cleaner stop before open transactions. */
    @Override
    protected long stableOffset() {
        return replica.lastStableOffset();
    }

    private Behavior<Command> onAppend(Append append) {
        Optional<Rejection> rejected = checkAppend(append);
        if (rejected.isPresent()) {
            reject(append, rejected.get());
        } else if (!gate.holds(append, this::reject)) {
            appendToLog(append);
        }
        return this;
    }

    private void reject(Append append, Rejection rejection) {
        append.replyTo().tell(appendFailed(rejection.error(), rejection.message()));
    }

    /** The coordinator answered the check of a held transactional append (KIP-890). */
    private Behavior<Command> onTxnVerified(TxnVerified verified) {
        TransactionalAppendGate.Verdict verdict = gate.onVerified(verified);
        if (verdict.rejection().isPresent()) {
            reject(verified.append(), verdict.rejection().get());
        } else {
            appendToLog(verified.append());
        }
        verdict.queued().forEach(this::onAppend);
        return this;
    }

    private void appendToLog(Append append) {
        AppendResult result = replica.log().appendAsLeader(append.records(), replica.leaderEpoch());
        if (result instanceof AppendResult.Rejected failed) {
            append.replyTo()
                    .tell(ParkedWrites.appendFailed(replica, failed.error(), failed.message(), failed.recordErrors()));
            return;
        }
        AppendResult.Appended appended = (AppendResult.Appended) result;
        onAppended();
        AppendResponse response = new AppendResponse(
                tp(), Errors.NONE, null, appended.firstOffset(), appended.logAppendTimeMs(), appended.logStartOffset());
        if (append.requiredAcks() != ACKS_ALL) {
            append.replyTo().tell(response);
        } else {
            parkedWrites.answerOrPark(
                    appended.lastOffset(), new ParkedAppend(append.replyTo(), response), append.timeoutMs());
        }
    }

    /** Something was appended: flush a rolled segment, and move the high watermark if it can. */
    private void onAppended() {
        maybeStartRollFlush();
        replication.onLogEndMoved();
        if (state.onLeaderLogEnd(replica.log().logEndOffset())) {
            onHighWatermarkMoved();
        }
    }

    /**
     * A coordinator's commit or abort marker: appended at the leader epoch after the log's fencing
     * checks, answered once the high watermark passes it, like an {@code acks=all} append.
     */
    private Behavior<Command> onWriteTxnMarker(WriteTxnMarker marker) {
        gate.onMarker(marker.producerId(), marker.producerEpoch());
        int minIsr = replica.minInsyncReplicas();
        if (state.isrSize() < minIsr) {
            marker.replyTo()
                    .tell(new TxnMarkerWritten(
                            tp(),
                            Errors.NOT_ENOUGH_REPLICAS,
                            "ISR " + state.isr() + " of " + tp() + " is smaller than min.insync.replicas " + minIsr));
            return this;
        }
        AppendResult result = replica.appendTxnMarker(marker);
        if (result instanceof AppendResult.Rejected rejected) {
            marker.replyTo().tell(new TxnMarkerWritten(tp(), rejected.error(), rejected.message()));
            return this;
        }
        long offset = ((AppendResult.Appended) result).lastOffset();
        onAppended();
        parkedWrites.answerOrPark(offset, new ParkedMarker(marker.replyTo(), offset), marker.timeoutMs());
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

    private AppendResponse appendFailed(Errors error, String message) {
        return ParkedWrites.appendFailed(replica, error, message, List.of());
    }

    private Behavior<Command> onAppendTimedOut(AppendTimedOut timedOut) {
        parkedWrites.onTimedOut(timedOut);
        return this;
    }

    /** The high watermark moved: so may the last stable offset; answer the writes and polls it passed. */
    private void onHighWatermarkMoved() {
        long highWatermark = state.highWatermark();
        replica.highWatermark(highWatermark);
        parkedWrites.releaseUpTo(highWatermark);
        for (AwaitData waiter : longPolls.releaseBelow(highWatermark, stableOffset())) {
            read(waiter.read());
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
            return;
        }
        ReadResult.Data data = (ReadResult.Data) result;
        List<AbortedTxn> aborted = List.of();
        if (read.readCommitted()) {
            try {
                aborted = replica.log().abortedTransactions(read.fetchOffset(), data.slice());
            } catch (IOException e) {
                data.slice().release();
                read.replyTo().tell(readFailed(Errors.KAFKA_STORAGE_ERROR, e.getMessage()));
                return;
            }
        }
        read.replyTo()
                .tell(new ReadResponse(
                        tp(),
                        Errors.NONE,
                        null,
                        data.slice(),
                        state.highWatermark(),
                        stableOffset(),
                        data.logStartOffset(),
                        aborted));
    }

    private ReadResponse readFailed(Errors error, String message) {
        return new ReadResponse(
                tp(),
                error,
                message,
                null,
                state.highWatermark(),
                stableOffset(),
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
            longPolls.park(await);
        }
        return this;
    }

    /** Sweeps consumers' and followers' long polls; the next sweep after the longest max wait left. */
    private Behavior<Command> onSweepFetchWaiters(SweepFetchWaiters sweep) {
        longPolls.onSweep(replication.sweepWaiters().orElse(-1));
        return this;
    }

    /** Consumers' and followers' long polls parked here. */
    private Behavior<Command> onCountFetchWaiters(CountFetchWaiters count) {
        count.replyTo().tell(longPolls.size() + replication.waiterCount());
        return this;
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
        boolean applied = replica.applyRegistration(update.registration(), update.config());
        rescheduleFlushCheck();
        if (!applied) {
            return this;
        }
        if (!replica.isLeader()) {
            releaseWaiting();
            replication.stopIsrCheck();
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
        parkedWrites.drain();
        for (Append queued : gate.drain()) {
            reject(queued, replica.notLeader());
        }
        for (AwaitData waiter : longPolls.drain()) {
            waiter.read()
                    .replyTo()
                    .tell(readFailed(
                            Errors.NOT_LEADER_OR_FOLLOWER,
                            "node " + replica.localNodeId() + " stopped leading " + tp()
                                    + " while a fetch waited for data past offset " + waiter.awaitOffset()));
        }
        replication.releaseWaiting();
    }
}
