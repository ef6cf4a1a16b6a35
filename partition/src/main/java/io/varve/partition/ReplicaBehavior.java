package io.varve.partition;

import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.DescribeCleanable;
import io.varve.partition.PartitionActor.DescribeLog;
import io.varve.partition.PartitionActor.DescribeProducers;
import io.varve.partition.PartitionActor.EpochEndOffset;
import io.varve.partition.PartitionActor.FlushCheck;
import io.varve.partition.PartitionActor.Flushed;
import io.varve.partition.PartitionActor.LastOffsetForLeaderEpoch;
import io.varve.partition.PartitionActor.ProducerExpirationCheck;
import io.varve.partition.PartitionActor.ProducerState;
import io.varve.partition.PartitionActor.ProducersResponse;
import io.varve.partition.PartitionActor.RetentionCheck;
import io.varve.partition.PartitionActor.StartCleaning;
import io.varve.partition.PartitionActor.Stop;
import io.varve.partition.PartitionActor.Stopped;
import io.varve.partition.PartitionActor.SwapCleaned;
import io.varve.storage.checkpoint.EpochAndOffset;
import io.varve.storage.log.SegmentFlush;
import io.varve.storage.producer.ProducerEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * What every role of a hosted replica does the same way: housekeeping timers (retention, {@code
 * flush.ms}, producer expiration), the off-actor flush of rolled segments, DescribeLog,
 * DescribeProducers and Stop. {@link LeaderBehavior} and {@link FollowerBehavior} add their role's
 * commands; switching role hands the same {@link HostedReplica} to the other behavior.
 *
 * <p>Runs on {@code varve.storage-dispatcher}; the replica and its log are confined to it.
 */
abstract class ReplicaBehavior extends AbstractBehavior<Command> {
    protected final TimerScheduler<Command> timers;
    protected final HostedReplica replica;
    protected final PartitionSettings settings;

    ReplicaBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            HostedReplica replica,
            PartitionSettings settings) {
        super(context);
        this.timers = timers;
        this.replica = replica;
        this.settings = settings;
    }

    /** Starts the housekeeping timers and the behavior of the replica's current role. */
    static Behavior<Command> start(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            HostedReplica replica,
            PartitionSettings settings) {
        timers.startTimerWithFixedDelay(RetentionCheck.class, new RetentionCheck(), settings.retentionCheckInterval());
        scheduleFlushCheck(timers, replica, settings);
        timers.startTimerWithFixedDelay(
                ProducerExpirationCheck.class,
                new ProducerExpirationCheck(),
                settings.producerIdExpirationCheckInterval());
        return ofRole(context, timers, replica, settings);
    }

    /**
     * The {@code flush.ms} timer runs only while the topic sets {@code flush.ms}: at Kafka's default
     * (never) a check every {@code flush-check-interval} did nothing, yet cost every idle partition a
     * timer message a second (30,000 a second on a three-node cluster holding 10,000 partitions, a
     * quarter of its time in young collections). Called at start and after each config update.
     */
    static void scheduleFlushCheck(TimerScheduler<Command> timers, HostedReplica replica, PartitionSettings settings) {
        boolean timed = replica.log().config().flushMs() != Long.MAX_VALUE;
        if (timed && !timers.isTimerActive(FlushCheck.class)) {
            timers.startTimerWithFixedDelay(FlushCheck.class, new FlushCheck(), settings.flushCheckInterval());
        } else if (!timed) {
            timers.cancel(FlushCheck.class);
        }
    }

    /** {@link #scheduleFlushCheck} after a registration or config update. */
    protected void rescheduleFlushCheck() {
        scheduleFlushCheck(timers, replica, settings);
    }

    static ReplicaBehavior ofRole(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            HostedReplica replica,
            PartitionSettings settings) {
        return replica.isLeader()
                ? new LeaderBehavior(context, timers, replica, settings)
                : new FollowerBehavior(context, timers, replica, settings);
    }

    protected TopicPartition tp() {
        return replica.tp();
    }

    /** The messages every role handles the same way, for the role's {@code createReceive()}. */
    protected ReceiveBuilder<Command> commonReceive() {
        return newReceiveBuilder()
                .onMessage(DescribeLog.class, this::onDescribeLog)
                .onMessage(DescribeProducers.class, this::onDescribeProducers)
                .onMessage(Stop.class, this::onStop)
                .onMessage(RetentionCheck.class, this::onRetentionCheck)
                .onMessage(FlushCheck.class, this::onFlushCheck)
                .onMessage(ProducerExpirationCheck.class, this::onProducerExpirationCheck)
                .onMessage(Flushed.class, this::onFlushed)
                .onMessage(LastOffsetForLeaderEpoch.class, this::onLastOffsetForLeaderEpoch)
                .onMessage(DescribeCleanable.class, this::onDescribeCleanable)
                .onMessage(StartCleaning.class, this::onStartCleaning)
                .onMessage(SwapCleaned.class, this::onSwapCleaned)
                .onSignal(PostStop.class, signal -> onTerminated())
                .onSignal(PreRestart.class, signal -> onTerminated());
    }

    /** Answers whatever this role has parked: the replica is stopping or changing role. */
    protected abstract void releaseWaiting();

    /** Whether this role leads the partition. */
    protected boolean isLeading() {
        return false;
    }

    /**
     * OffsetsForLeaderEpoch: the end of the largest epoch at or below the requested one in this
     * replica's lineage (Kafka's semantics, {@code LeaderEpochCache.endOffsetFor}); consumers are
     * answered by the leader only.
     */
    private Behavior<Command> onLastOffsetForLeaderEpoch(LastOffsetForLeaderEpoch request) {
        Optional<Rejection> rejected = replica.checkLeaderEpoch(request.currentLeaderEpoch());
        Errors error = rejected.map(Rejection::error)
                .orElse(request.fetchOnlyFromLeader() && !isLeading() ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.NONE);
        if (error == Errors.NONE && replica.log().isOffline()) {
            error = Errors.KAFKA_STORAGE_ERROR;
        }
        if (error != Errors.NONE) {
            request.replyTo().tell(new EpochEndOffset(tp(), error, -1, -1L));
            return this;
        }
        EpochAndOffset end = replica.log()
                .leaderEpochCache()
                .endOffsetFor(request.leaderEpoch(), replica.log().logEndOffset());
        request.replyTo().tell(new EpochEndOffset(tp(), Errors.NONE, end.leaderEpoch(), end.endOffset()));
        return this;
    }

    /**
     * The offset below which records are stable, which the log cleaner may not pass: the leader's last
     * stable offset, a follower's last known high watermark.
     */
    protected abstract long stableOffset();

    private Behavior<Command> onDescribeCleanable(DescribeCleanable describe) {
        CleaningHandler.onDescribe(replica, describe, stableOffset());
        return this;
    }

    private Behavior<Command> onStartCleaning(StartCleaning start) {
        CleaningHandler.onStart(replica, start, stableOffset());
        return this;
    }

    private Behavior<Command> onSwapCleaned(SwapCleaned swap) {
        CleaningHandler.onSwap(replica, swap);
        return this;
    }

    private Behavior<Command> onDescribeLog(DescribeLog describe) {
        describe.replyTo().tell(replica.describe());
        return this;
    }

    private Behavior<Command> onDescribeProducers(DescribeProducers describe) {
        if (replica.log().isOffline()) {
            describe.replyTo().tell(new ProducersResponse(tp(), Errors.KAFKA_STORAGE_ERROR, List.of()));
            return this;
        }
        List<ProducerState> producers = replica.log().producerState().activeProducers().values().stream()
                .map(ReplicaBehavior::toProducerState)
                .toList();
        describe.replyTo().tell(new ProducersResponse(tp(), Errors.NONE, producers));
        return this;
    }

    private static ProducerState toProducerState(ProducerEntry entry) {
        return new ProducerState(
                entry.producerId(),
                entry.producerEpoch(),
                entry.lastSeq(),
                entry.lastTimestamp(),
                entry.coordinatorEpoch(),
                entry.currentTxnFirstOffset().orElse(-1L));
    }

    private Behavior<Command> onStop(Stop stop) {
        releaseWaiting();
        replica.close(stop.deleteLog());
        getContext().getLog().info("stopped {}{}", tp(), stop.deleteLog() ? " and deleted its log" : "");
        stop.replyTo().tell(new Stopped(tp()));
        return Behaviors.stopped();
    }

    private Behavior<Command> onTerminated() {
        releaseWaiting();
        replica.close(false);
        return this;
    }

    private Behavior<Command> onRetentionCheck(RetentionCheck check) {
        replica.applyRetention();
        return this;
    }

    private Behavior<Command> onFlushCheck(FlushCheck check) {
        replica.flushByTime();
        return this;
    }

    private Behavior<Command> onProducerExpirationCheck(ProducerExpirationCheck check) {
        replica.removeExpiredProducers();
        return this;
    }

    private Behavior<Command> onFlushed(Flushed flushed) {
        if (flushed.failure() == null) {
            replica.log().onFlushed(flushed.offset());
        } else {
            // the recovery point stays behind, so recovery rescans these segments after a crash
            getContext().getLog().error("flushing rolled segments of {} failed", tp(), flushed.failure());
        }
        return this;
    }

    /**
     * Hands the fsync of segments rolled by the last append to another storage-dispatcher thread:
     * they are no longer written, so forcing them there is safe and keeps the fsync off the append
     * path (Kafka flushes rolled segments asynchronously too).
     */
    protected void maybeStartRollFlush() {
        replica.log().takeRollFlush().ifPresent(flush -> {
            Executor executor = getContext().getExecutionContext();
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> runFlush(flush), executor);
            getContext().pipeToSelf(done, (ignored, failure) -> new Flushed(flush.upToOffset(), failure));
        });
    }

    private static void runFlush(SegmentFlush flush) {
        try {
            flush.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
