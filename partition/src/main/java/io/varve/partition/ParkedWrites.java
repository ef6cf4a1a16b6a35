package io.varve.partition;

import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AppendTimedOut;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.storage.log.RecordError;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A leader's writes waiting for the high watermark (Kafka's produce purgatory): {@code acks=all}
 * appends and transaction markers, each parked in {@link DelayedAppends} with one timer, and
 * answered when the high watermark passes it, when its timer fires ({@code REQUEST_TIMED_OUT}) or
 * when the replica stops leading. A write the high watermark covers still fails with {@code
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND} if the ISR shrank below {@code min.insync.replicas} meanwhile,
 * as in Kafka.
 *
 * <p>Not thread-safe: owned by the {@link LeaderBehavior}, on its actor.
 */
final class ParkedWrites {
    /** A write waiting for the high watermark: a producer's append or a coordinator's marker. */
    sealed interface Waiting permits ParkedAppend, ParkedMarker {}

    record ParkedAppend(ActorRef<AppendResponse> replyTo, AppendResponse response) implements Waiting {}

    record ParkedMarker(ActorRef<TxnMarkerWritten> replyTo, long offset) implements Waiting {}

    private record TimerKey(long id) {}

    private final TimerScheduler<Command> timers;
    private final HostedReplica replica;
    private final LeaderState state;
    private final DelayedAppends<Waiting> delayed = new DelayedAppends<>();

    ParkedWrites(TimerScheduler<Command> timers, HostedReplica replica, LeaderState state) {
        this.timers = timers;
        this.replica = replica;
        this.state = state;
    }

    /** Answers {@code waiting} now if the high watermark is past {@code lastOffset}, else parks it. */
    void answerOrPark(long lastOffset, Waiting waiting, int timeoutMs) {
        if (state.highWatermark() > lastOffset) {
            answer(waiting, null, null);
        } else {
            long id = delayed.park(lastOffset + 1, waiting);
            timers.startSingleTimer(
                    new TimerKey(id), new AppendTimedOut(id), Duration.ofMillis(Math.max(0, timeoutMs)));
        }
    }

    /** Answers every write the high watermark now covers. */
    void releaseUpTo(long highWatermark) {
        for (DelayedAppends.Parked<Waiting> parked : delayed.releaseUpTo(highWatermark)) {
            timers.cancel(new TimerKey(parked.id()));
            answer(parked.waiter(), null, null);
        }
    }

    void onTimedOut(AppendTimedOut timedOut) {
        delayed.remove(timedOut.id())
                .ifPresent(parked -> answer(
                        parked.waiter(),
                        Errors.REQUEST_TIMED_OUT,
                        "acks=all write to " + replica.tp() + " was not replicated to ISR " + state.isr()
                                + " in time: high watermark " + state.highWatermark() + ", needed "
                                + parked.requiredOffset()));
    }

    /** The replica stopped leading: every parked write fails with {@code NOT_LEADER_OR_FOLLOWER}. */
    void drain() {
        for (DelayedAppends.Parked<Waiting> parked : delayed.drain()) {
            timers.cancel(new TimerKey(parked.id()));
            answer(
                    parked.waiter(),
                    Errors.NOT_LEADER_OR_FOLLOWER,
                    "node " + replica.localNodeId() + " stopped leading " + replica.tp() + " before offset "
                            + parked.requiredOffset() + " was replicated");
        }
    }

    /** Answers a write the high watermark covers ({@code error} null) or that failed with {@code error}. */
    private void answer(Waiting waiting, Errors error, String message) {
        if (waiting instanceof ParkedAppend parked) {
            parked.replyTo().tell(error == null ? acknowledgeAll(parked.response()) : appendFailed(error, message));
        } else if (waiting instanceof ParkedMarker parked) {
            int minIsr = replica.minInsyncReplicas();
            if (error == null && state.isrSize() < minIsr) {
                error = Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
                message = "marker at offset " + parked.offset() + " of " + replica.tp() + " appended but ISR "
                        + state.isr() + " is smaller than min.insync.replicas " + minIsr;
            }
            parked.replyTo().tell(new TxnMarkerWritten(replica.tp(), error == null ? Errors.NONE : error, message));
        }
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
                    "appended at offset " + response.baseOffset() + " but ISR " + state.isr() + " of " + replica.tp()
                            + " is smaller than min.insync.replicas " + minIsr);
        }
        return response;
    }

    /** A failed append's answer for {@code replica}. */
    static AppendResponse appendFailed(
            HostedReplica replica, Errors error, String message, List<RecordError> recordErrors) {
        return new AppendResponse(
                replica.tp(),
                error,
                message,
                -1L,
                RecordBatch.NO_TIMESTAMP,
                replica.log().logStartOffset(),
                recordErrors);
    }

    private AppendResponse appendFailed(Errors error, String message) {
        return appendFailed(replica, error, message, List.of());
    }
}
