package io.varve.partition;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.AlterPartitionResult;
import io.varve.metadata.Controller.IsrMember;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.partition.PartitionActor.AlterPartitionAnswered;
import io.varve.partition.PartitionActor.AwaitLogEnd;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.DataAvailable;
import io.varve.partition.PartitionActor.IsrCheck;
import io.varve.partition.PartitionActor.ReplicaRead;
import io.varve.partition.PartitionActor.ReplicaReadResponse;
import io.varve.partition.replication.ReplicationContext;
import io.varve.storage.checkpoint.EpochAndOffset;
import io.varve.storage.checkpoint.LeaderEpochCache;
import io.varve.storage.log.LogSlice;
import io.varve.storage.log.PartitionLog;
import io.varve.storage.log.ReadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * The leader's side of replication, owned by {@link LeaderBehavior}: followers' fetches ({@link
 * ReplicaRead}: epoch and divergence checks, the read up to the log end offset, the follower's
 * progress), their long polls until the log end offset moves, and the ISR: a follower that reached
 * the high watermark and the start of this leader epoch is added, one not caught up for {@code
 * replica.lag.time.max.ms} is removed, each change sent to the controller as an AlterPartition at
 * this registration's leader and partition epochs, one at a time, applied when the controller
 * answers (or when the metadata brings it).
 *
 * <p>Not thread-safe: confined to the partition actor, on the storage dispatcher.
 */
final class LeaderReplication {
    private static final Duration ALTER_PARTITION_TIMEOUT = Duration.ofSeconds(10);

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final HostedReplica replica;
    private final LeaderState state;
    private final ReplicationContext replication;
    private final FetchWaiters<AwaitLogEnd> logEndWaiters = new FetchWaiters<>();
    private final ActorRef<AlterPartitionResult> alterAnswers;
    private List<Integer> inFlight;
    private long inFlightSinceMs;

    private record IsrTimerKey() {}

    LeaderReplication(
            ActorContext<Command> context, TimerScheduler<Command> timers, HostedReplica replica, LeaderState state) {
        this.context = context;
        this.timers = timers;
        this.replica = replica;
        this.state = state;
        this.replication = replica.replication();
        this.alterAnswers = context.messageAdapter(AlterPartitionResult.class, AlterPartitionAnswered::new);
        maybeStartIsrCheck(replica.registration());
    }

    /**
     * Starts the ISR check timer once the partition has followers: at leadership, and when a
     * registration of the same leader epoch adds replicas (a reassignment of a single-replica
     * partition keeps its leader and epoch, so without this its new replicas were never checked).
     */
    private void maybeStartIsrCheck(PartitionRegistration registration) {
        IsrTimerKey key = new IsrTimerKey();
        if (!replication.isStandalone() && registration.replicas().size() > 1 && !timers.isTimerActive(key)) {
            Duration interval = replication.settings().replicaLagTimeMax().dividedBy(2);
            timers.startTimerWithFixedDelay(key, new IsrCheck(), interval);
        }
    }

    /** The replica stops leading: a follower has no ISR to check (the timers outlive the role). */
    void stopIsrCheck() {
        timers.cancel(new IsrTimerKey());
    }

    private Logger log() {
        return context.getLog();
    }

    /** A follower's fetch; the caller releases what a moved high watermark unblocks. */
    ReplicaReadResponse read(ReplicaRead read, boolean[] highWatermarkMoved) {
        Optional<Rejection> rejected = replica.checkLeaderEpoch(read.currentLeaderEpoch());
        if (rejected.isPresent()) {
            return failed(rejected.get().error(), rejected.get().message());
        }
        if (!replica.registration().replicas().contains(read.replicaId())) {
            // Kafka: a replica outside the assignment at a matching epoch is not recognised yet
            return failed(
                    read.currentLeaderEpoch() == -1 ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_LEADER_EPOCH,
                    "broker " + read.replicaId() + " is not a replica of " + replica.tp() + " "
                            + replica.registration().replicas());
        }
        PartitionLog log = replica.log();
        long logEndOffset = log.logEndOffset();
        if (read.lastFetchedEpoch() >= 0) {
            Optional<ReplicaReadResponse> diverging = checkDivergence(read, log);
            if (diverging.isPresent()) {
                return diverging.get();
            }
        }
        ReadResult result =
                log.read(read.fetchOffset(), read.maxBytes(), logEndOffset, true, LeaderBehavior.INLINE_READ_MAX_BYTES);
        if (result instanceof ReadResult.Failed failed) {
            return failed(failed.error(), failed.message());
        }
        highWatermarkMoved[0] = state.onFollowerFetch(
                read.replicaId(), read.fetchOffset(), read.replicaBrokerEpoch(), System.currentTimeMillis());
        maybeExpandIsr(read.replicaId());
        LogSlice slice = ((ReadResult.Data) result).slice();
        return new ReplicaReadResponse(
                replica.tp(),
                Errors.NONE,
                null,
                slice,
                state.highWatermark(),
                state.highWatermark(),
                log.logStartOffset(),
                -1,
                -1L);
    }

    /**
     * Fetch v12+'s divergence check: the end of the follower's last fetched epoch in this leader's
     * lineage; a smaller epoch or an end before the fetch offset means the follower must truncate.
     */
    private Optional<ReplicaReadResponse> checkDivergence(ReplicaRead read, PartitionLog log) {
        EpochAndOffset end = log.leaderEpochCache().endOffsetFor(read.lastFetchedEpoch(), log.logEndOffset());
        if (end.leaderEpoch() == LeaderEpochCache.UNDEFINED_EPOCH
                || end.endOffset() == LeaderEpochCache.UNDEFINED_EPOCH_OFFSET) {
            return Optional.of(failed(
                    Errors.OFFSET_OUT_OF_RANGE,
                    "the end of epoch " + read.lastFetchedEpoch() + " is unknown in " + replica.tp()));
        }
        if (read.fetchOffset() < log.logStartOffset()) {
            return Optional.of(failed(
                    Errors.OFFSET_OUT_OF_RANGE,
                    "offset " + read.fetchOffset() + " is below the log start offset " + log.logStartOffset() + " of "
                            + replica.tp()));
        }
        if (end.leaderEpoch() < read.lastFetchedEpoch() || end.endOffset() < read.fetchOffset()) {
            return Optional.of(new ReplicaReadResponse(
                    replica.tp(),
                    Errors.NONE,
                    null,
                    null,
                    state.highWatermark(),
                    state.highWatermark(),
                    log.logStartOffset(),
                    end.leaderEpoch(),
                    end.endOffset()));
        }
        return Optional.empty();
    }

    private ReplicaReadResponse failed(Errors error, String message) {
        return new ReplicaReadResponse(
                replica.tp(),
                error,
                message,
                null,
                state.highWatermark(),
                state.highWatermark(),
                replica.log().logStartOffset(),
                -1,
                -1L);
    }

    /**
     * A follower's long poll: answered at once when the log end offset is past its fetch offset,
     * else parked (first dropping the waiters whose fetch completed meanwhile); true when parked, so
     * the caller keeps the sweep timer running.
     */
    boolean awaitLogEnd(AwaitLogEnd await) {
        if (replica.log().logEndOffset() > await.fetchOffset() || replica.log().isOffline()) {
            await.replyTo().tell(new DataAvailable(replica.tp()));
            return false;
        }
        logEndWaiters.removeAbandoned(LeaderReplication::isAbandoned);
        logEndWaiters.add(await.fetchOffset(), await.maxWaitMs(), await);
        return true;
    }

    /** The sweep timer: see {@link FetchWaiters#sweep}. */
    OptionalInt sweepWaiters() {
        return logEndWaiters.sweep(LeaderReplication::isAbandoned);
    }

    int waiterCount() {
        return logEndWaiters.size();
    }

    private static boolean isAbandoned(AwaitLogEnd await) {
        return await.fetchCompleted().getAsBoolean();
    }

    /** The leader appended: wake the followers waiting for it. */
    void onLogEndMoved() {
        for (AwaitLogEnd waiter : logEndWaiters.releaseBelow(replica.log().logEndOffset())) {
            if (!isAbandoned(waiter)) {
                waiter.replyTo().tell(new DataAvailable(replica.tp()));
            }
        }
    }

    void releaseWaiting() {
        for (AwaitLogEnd waiter : logEndWaiters.drain()) {
            if (!isAbandoned(waiter)) {
                waiter.replyTo().tell(new DataAvailable(replica.tp()));
            }
        }
    }

    private void maybeExpandIsr(int replicaId) {
        if (inFlight != null || replication.isStandalone()) {
            return;
        }
        MetadataImage image = replication.metadata().image();
        if (!image.isLive(replicaId) || !state.isReadyToJoin(replicaId, replica.leaderEpochStartOffset())) {
            return;
        }
        List<Integer> next = new ArrayList<>(state.isr());
        next.add(replicaId);
        log().info(
                        "{}: follower {} caught up (high watermark {}): asking to expand the ISR {} -> {}",
                        replica.tp(),
                        replicaId,
                        state.highWatermark(),
                        state.isr(),
                        next);
        state.pendingAddition(replicaId);
        submit(next);
    }

    /** Timer: remove ISR members not caught up for replica.lag.time.max.ms. */
    void onIsrCheck() {
        long nowMs = System.currentTimeMillis();
        if (inFlight != null && nowMs - inFlightSinceMs > ALTER_PARTITION_TIMEOUT.toMillis()) {
            log().warn(
                            "{}: no answer to AlterPartition {} in {}; trying again",
                            replica.tp(),
                            inFlight,
                            ALTER_PARTITION_TIMEOUT);
            inFlight = null;
            state.pendingAddition(-1);
        }
        if (inFlight != null || replication.isStandalone()) {
            return;
        }
        List<Integer> lagging = state.outOfSync(
                nowMs, replication.settings().replicaLagTimeMax().toMillis());
        if (lagging.isEmpty()) {
            return;
        }
        List<Integer> next = new ArrayList<>(state.isr());
        next.removeAll(lagging);
        log().info(
                        "{}: followers {} not caught up for {} (high watermark {}): asking to shrink the ISR {} -> {}",
                        replica.tp(),
                        lagging,
                        replication.settings().replicaLagTimeMax(),
                        state.highWatermark(),
                        state.isr(),
                        next);
        submit(next);
    }

    private void submit(List<Integer> newIsr) {
        MetadataImage image = replication.metadata().image();
        int self = replica.localNodeId();
        List<IsrMember> members = new ArrayList<>();
        for (int id : newIsr) {
            members.add(new IsrMember(id, id == self ? image.brokerEpoch(self) : state.brokerEpoch(id)));
        }
        PartitionRegistration registration = replica.registration();
        inFlight = List.copyOf(newIsr);
        inFlightSinceMs = System.currentTimeMillis();
        Controller.Command request = new AlterPartition(
                replica.tp().topic(),
                replica.tp().partition(),
                self,
                image.brokerEpoch(self),
                registration.leaderEpoch(),
                registration.partitionEpoch(),
                members,
                alterAnswers);
        replication.controller().tell(request);
    }

    /**
     * The controller answered: a committed registration is applied (the caller checks whether the
     * high watermark moved); a refusal is logged and the next fetch or check tries again.
     */
    Optional<PartitionRegistration> onAnswered(AlterPartitionAnswered answered) {
        AlterPartitionResult result = answered.result();
        inFlight = null;
        state.pendingAddition(-1);
        if (result.error() != Errors.NONE) {
            log().info("{}: AlterPartition refused with {}: {}", replica.tp(), result.error(), result.message());
            return Optional.empty();
        }
        return Optional.of(result.registration());
    }

    /** A newer registration arrived through the metadata: whatever was in flight is settled. */
    void onRegistration(PartitionRegistration registration) {
        maybeStartIsrCheck(registration);
        if (inFlight != null && registration.isr().containsAll(inFlight) && inFlight.containsAll(registration.isr())) {
            inFlight = null;
            state.pendingAddition(-1);
        }
    }
}
