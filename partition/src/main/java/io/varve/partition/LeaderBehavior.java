package io.varve.partition;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AppendTimedOut;
import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.DataAvailable;
import io.varve.partition.PartitionActor.DeleteRecords;
import io.varve.partition.PartitionActor.DeleteRecordsResponse;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.partition.PartitionActor.TxnVerified;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.AppendResult;
import io.varve.storage.log.LogSlice;
import io.varve.storage.log.PartitionLog;
import io.varve.storage.log.ReadResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The partition's leader: appends producers' batches at the current leader epoch, keeps the ISR and
 * the high watermark ({@link LeaderState}), parks {@code acks=all} appends until the high watermark
 * passes them ({@link DelayedAppends}, one timer each) and long polls until data is readable
 * ({@link FetchWaiters}), and answers reads, ListOffsets and DeleteRecords up to the high watermark.
 *
 * <p>Transactions: a transactional producer's first batch of a transaction waits for its
 * coordinator's check ({@link TransactionVerifications}, KIP-890); the coordinator's markers are
 * written like {@code acks=all} appends; read_committed reads and long polls end at the last stable
 * offset, and reads report the aborted transactions of what they return. Runs on {@code
 * varve.storage-dispatcher}; becomes a {@link FollowerBehavior} when a registration names another
 * leader.
 */
final class LeaderBehavior extends ReplicaBehavior {
    /**
     * Reads up to this size are answered with the bytes (read here, on the storage dispatcher):
     * handing a small slice to {@code sendfile} costs a file open and a thread hop, more than
     * the copy. Larger reads stay zero-copy.
     */
    static final int INLINE_READ_MAX_BYTES = 16 * 1024;

    private static final short ACKS_ALL = -1;

    /** An {@code acks=all} write waiting for the high watermark: a producer's append or a marker. */
    private sealed interface Waiting permits ParkedAppend, ParkedMarker {}

    private record ParkedAppend(ActorRef<AppendResponse> replyTo, AppendResponse response) implements Waiting {}

    private record ParkedMarker(ActorRef<TxnMarkerWritten> replyTo, long offset) implements Waiting {}

    private record AppendTimerKey(long id) {}

    private final LeaderState state;
    private final DelayedAppends<Waiting> delayedAppends = new DelayedAppends<>();
    private final FetchWaiters<ActorRef<DataAvailable>> fetchWaiters = new FetchWaiters<>();
    private final FetchWaiters<ActorRef<DataAvailable>> committedWaiters = new FetchWaiters<>();
    private final TransactionalAppendGate gate;

    LeaderBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            HostedReplica replica,
            PartitionSettings settings) {
        super(context, timers, replica, settings);
        PartitionLog log = replica.log();
        this.gate = new TransactionalAppendGate(context, replica);
        this.state = new LeaderState(
                replica.localNodeId(),
                replica.registration().isr(),
                log.logEndOffset(),
                Math.max(replica.highWatermark(), log.logStartOffset()));
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
                .onMessage(ListOffsets.class, this::onListOffsets)
                .onMessage(DeleteRecords.class, this::onDeleteRecords)
                .onMessage(UpdateRegistration.class, this::onUpdateRegistration)
                .onMessage(TxnVerified.class, this::onTxnVerified)
                .onMessage(WriteTxnMarker.class, this::onWriteTxnMarker)
                .build();
    }

    /** The end of what consumers may read: the high watermark or, read_committed, the last stable offset. */
    private long fetchableEnd(boolean readCommitted) {
        return readCommitted ? lastStableOffset() : state.highWatermark();
    }

    private long lastStableOffset() {
        return replica.lastStableOffset();
    }

    private Behavior<Command> onAppend(Append append) {
        Optional<Rejection> rejected = checkAppend(append);
        if (rejected.isPresent()) {
            append.replyTo()
                    .tell(appendFailed(rejected.get().error(), rejected.get().message()));
            return this;
        }
        if (!gate.holds(append, this::reject)) {
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

    private Behavior<Command> appendToLog(Append append) {
        AppendResult result = replica.log().appendAsLeader(append.records(), replica.leaderEpoch());
        if (result instanceof AppendResult.Rejected failed) {
            append.replyTo().tell(appendFailed(failed.error(), failed.message()));
            return this;
        }
        AppendResult.Appended appended = (AppendResult.Appended) result;
        maybeStartRollFlush();
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
            park(appended.lastOffset() + 1, new ParkedAppend(append.replyTo(), response), append.timeoutMs());
        }
        return this;
    }

    private void park(long requiredOffset, Waiting waiting, int timeoutMs) {
        long id = delayedAppends.park(requiredOffset, waiting);
        timers.startSingleTimer(
                new AppendTimerKey(id), new AppendTimedOut(id), Duration.ofMillis(Math.max(0, timeoutMs)));
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
        AppendResult result = replica.log()
                .appendTxnMarker(
                        marker.producerId(),
                        marker.producerEpoch(),
                        marker.coordinatorEpoch(),
                        marker.commit(),
                        replica.leaderEpoch(),
                        marker.transactionVersion());
        if (result instanceof AppendResult.Rejected rejected) {
            marker.replyTo().tell(new TxnMarkerWritten(tp(), rejected.error(), rejected.message()));
            return this;
        }
        long offset = ((AppendResult.Appended) result).lastOffset();
        maybeStartRollFlush();
        if (state.onLeaderLogEnd(replica.log().logEndOffset())) {
            onHighWatermarkMoved();
        }
        if (state.highWatermark() > offset) {
            answer(new ParkedMarker(marker.replyTo(), offset), null, null);
        } else {
            park(offset + 1, new ParkedMarker(marker.replyTo(), offset), marker.timeoutMs());
        }
        return this;
    }

    /**
     * Answers a write the high watermark covers ({@code error} null) or that failed with {@code
     * error}.
     */
    private void answer(Waiting waiting, Errors error, String message) {
        if (waiting instanceof ParkedAppend parked) {
            parked.replyTo().tell(error == null ? acknowledgeAll(parked.response()) : appendFailed(error, message));
        } else if (waiting instanceof ParkedMarker parked) {
            int minIsr = replica.minInsyncReplicas();
            if (error == null && state.isrSize() < minIsr) {
                error = Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
                message = "marker at offset " + parked.offset() + " of " + tp() + " appended but ISR " + state.isr()
                        + " is smaller than min.insync.replicas " + minIsr;
            }
            parked.replyTo().tell(new TxnMarkerWritten(tp(), error == null ? Errors.NONE : error, message));
        }
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
        return new AppendResponse(
                tp(),
                error,
                message,
                -1L,
                RecordBatch.NO_TIMESTAMP,
                replica.log().logStartOffset());
    }

    private Behavior<Command> onAppendTimedOut(AppendTimedOut timedOut) {
        delayedAppends
                .remove(timedOut.id())
                .ifPresent(parked -> answer(
                        parked.waiter(),
                        Errors.REQUEST_TIMED_OUT,
                        "acks=all write to " + tp() + " was not replicated to ISR " + state.isr()
                                + " in time: high watermark " + state.highWatermark() + ", needed "
                                + parked.requiredOffset()));
        return this;
    }

    private void onHighWatermarkMoved() {
        long highWatermark = state.highWatermark();
        replica.highWatermark(highWatermark);
        for (DelayedAppends.Parked<Waiting> parked : delayedAppends.releaseUpTo(highWatermark)) {
            timers.cancel(new AppendTimerKey(parked.id()));
            answer(parked.waiter(), null, null);
        }
        for (ActorRef<DataAvailable> waiter : fetchWaiters.releaseBelow(fetchableEnd(false))) {
            waiter.tell(new DataAvailable(tp()));
        }
        for (ActorRef<DataAvailable> waiter : committedWaiters.releaseBelow(fetchableEnd(true))) {
            waiter.tell(new DataAvailable(tp()));
        }
    }

    private Behavior<Command> onRead(Read read) {
        Optional<Rejection> rejected = replica.checkLeaderEpoch(read.currentLeaderEpoch());
        if (rejected.isPresent()) {
            read.replyTo()
                    .tell(readFailed(rejected.get().error(), rejected.get().message()));
            return this;
        }
        ReadResult result = replica.log()
                .read(read.fetchOffset(), read.maxBytes(), fetchableEnd(read.readCommitted()), read.minOneBatch());
        if (result instanceof ReadResult.Failed failed) {
            read.replyTo().tell(readFailed(failed.error(), failed.message()));
        } else {
            ReadResult.Data data = (ReadResult.Data) result;
            LogSlice slice = data.slice();
            if (!slice.isEmpty() && slice.length() <= INLINE_READ_MAX_BYTES) {
                try {
                    slice = replica.log().withBytes(slice);
                } catch (IOException e) {
                    getContext()
                            .getLog()
                            .warn(
                                    "reading {} bytes of {} into memory failed; sending from the file",
                                    slice.length(),
                                    tp(),
                                    e);
                }
            }
            List<AbortedTxn> aborted = List.of();
            if (read.readCommitted()) {
                try {
                    aborted = replica.log().abortedTransactions(read.fetchOffset(), slice);
                } catch (IOException e) {
                    read.replyTo().tell(readFailed(Errors.KAFKA_STORAGE_ERROR, e.getMessage()));
                    return this;
                }
            }
            read.replyTo()
                    .tell(new ReadResponse(
                            tp(),
                            Errors.NONE,
                            null,
                            slice,
                            state.highWatermark(),
                            lastStableOffset(),
                            data.logStartOffset(),
                            aborted));
        }
        return this;
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

    private Behavior<Command> onAwaitData(AwaitData await) {
        PartitionLog log = replica.log();
        long fetchOffset = await.fetchOffset();
        boolean readableNow = fetchableEnd(await.readCommitted()) > fetchOffset;
        // an offset the log cannot serve is answered at once, so the fetch reads and reports the error
        boolean outOfRange = fetchOffset < log.logStartOffset() || fetchOffset > log.logEndOffset();
        if (readableNow || outOfRange || log.isOffline()) {
            await.replyTo().tell(new DataAvailable(tp()));
        } else if (await.readCommitted()) {
            committedWaiters.add(fetchOffset, await.replyTo());
        } else {
            fetchWaiters.add(fetchOffset, await.replyTo());
        }
        return this;
    }

    private Behavior<Command> onListOffsets(ListOffsets list) {
        Optional<Rejection> rejected = replica.checkLeaderEpoch(list.currentLeaderEpoch());
        if (rejected.isPresent()) {
            list.replyTo().tell(listOffsetsFailed(rejected.get().error()));
        } else if (replica.log().isOffline()) {
            list.replyTo().tell(listOffsetsFailed(Errors.KAFKA_STORAGE_ERROR));
        } else {
            list.replyTo()
                    .tell(OffsetLookup.lookup(
                            replica.log(),
                            list.timestamp(),
                            fetchableEnd(list.readCommitted()),
                            replica.leaderEpoch()));
        }
        return this;
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
        if (state.onIsrChange(update.registration().isr())) {
            onHighWatermarkMoved();
        }
        return this;
    }

    @Override
    protected void releaseWaiting() {
        for (DelayedAppends.Parked<Waiting> parked : delayedAppends.drain()) {
            timers.cancel(new AppendTimerKey(parked.id()));
            answer(
                    parked.waiter(),
                    Errors.NOT_LEADER_OR_FOLLOWER,
                    "node " + replica.localNodeId() + " stopped leading " + tp() + " before offset "
                            + parked.requiredOffset() + " was replicated");
        }
        for (Append queued : gate.drain()) {
            queued.replyTo()
                    .tell(appendFailed(
                            replica.notLeader().error(), replica.notLeader().message()));
        }
        for (ActorRef<DataAvailable> waiter : fetchWaiters.drain()) {
            waiter.tell(new DataAvailable(tp()));
        }
        for (ActorRef<DataAvailable> waiter : committedWaiters.drain()) {
            waiter.tell(new DataAvailable(tp()));
        }
    }
}
