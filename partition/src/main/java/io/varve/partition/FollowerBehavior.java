package io.varve.partition;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendAsFollower;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AppendTimedOut;
import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.AwaitLogEnd;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.CountFetchWaiters;
import io.varve.partition.PartitionActor.DataAvailable;
import io.varve.partition.PartitionActor.DeleteRecords;
import io.varve.partition.PartitionActor.DeleteRecordsResponse;
import io.varve.partition.PartitionActor.FollowerProgress;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.ReplicaRead;
import io.varve.partition.PartitionActor.ReplicaReadResponse;
import io.varve.partition.PartitionActor.ResetOutOfRange;
import io.varve.partition.PartitionActor.SweepFetchWaiters;
import io.varve.partition.PartitionActor.TruncateToEpoch;
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.partition.PartitionActor.TxnVerified;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import io.varve.partition.replication.ReplicaFetchers;
import io.varve.storage.log.AppendResult;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import java.util.List;
import java.util.OptionalInt;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A replica whose registration names another leader. It asks the node's {@link ReplicaFetchers} to
 * fetch from that leader (again at every new leader or leader epoch) and appends what they bring
 * byte for byte ({@link AppendAsFollower}), truncating to the leader's lineage when told so ({@link
 * TruncateToEpoch}, {@link ResetOutOfRange}); its high watermark follows the leader's. Client
 * requests that need the leader (produce, fetch, ListOffsets, DeleteRecords) answer {@code
 * NOT_LEADER_OR_FOLLOWER} after the leader-epoch check (KIP-320), so clients refresh their metadata;
 * long polls are answered at once for the same reason. Becomes a {@link LeaderBehavior} when a
 * registration names this node. Runs on {@code varve.storage-dispatcher}.
 */
final class FollowerBehavior extends ReplicaBehavior {
    private int followedLeader = -1;
    private int followedEpoch = -1;

    FollowerBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            HostedReplica replica,
            PartitionSettings settings) {
        super(context, timers, replica, settings);
        context.getLog()
                .info(
                        "following {} at epoch {}: leader {}, log end offset {}, high watermark {}",
                        replica.tp(),
                        replica.leaderEpoch(),
                        replica.registration().leader(),
                        replica.log().logEndOffset(),
                        replica.highWatermark());
        maybeFollow();
    }

    /** The cleaner stops here: the last stable offset of the high watermark the leader sent. */
    @Override
    protected long stableOffset() {
        return replica.lastStableOffset();
    }

    @Override
    public Receive<Command> createReceive() {
        return commonReceive()
                .onMessage(Append.class, this::onAppend)
                .onMessage(AppendTimedOut.class, timedOut -> this)
                .onMessage(Read.class, this::onRead)
                .onMessage(AwaitData.class, this::onAwaitData)
                .onMessage(AwaitLogEnd.class, this::onAwaitLogEnd)
                .onMessage(SweepFetchWaiters.class, sweep -> this)
                .onMessage(CountFetchWaiters.class, this::onCountFetchWaiters)
                .onMessage(ListOffsets.class, this::onListOffsets)
                .onMessage(DeleteRecords.class, this::onDeleteRecords)
                .onMessage(UpdateRegistration.class, this::onUpdateRegistration)
                .onMessage(ReplicaRead.class, this::onReplicaRead)
                .onMessage(AppendAsFollower.class, this::onAppendAsFollower)
                .onMessage(TruncateToEpoch.class, this::onTruncateToEpoch)
                .onMessage(ResetOutOfRange.class, this::onResetOutOfRange)
                .onMessage(WriteTxnMarker.class, this::onWriteTxnMarker)
                .onMessage(TxnVerified.class, verified -> onAppend(verified.append()))
                .build();
    }

    /** Asks the fetchers to fetch from the registration's leader, unless already doing so. */
    private void maybeFollow() {
        int leader = replica.registration().leader();
        int epoch = replica.leaderEpoch();
        if (replica.replication().isStandalone() || leader < 0 || replica.log().isOffline()) {
            unfollow();
            return;
        }
        if (leader == followedLeader && epoch == followedEpoch) {
            return;
        }
        followedLeader = leader;
        followedEpoch = epoch;
        PartitionLog log = replica.log();
        replica.replication()
                .fetchers()
                .tell(new ReplicaFetchers.Follow(
                        tp(),
                        replica.topicId(),
                        leader,
                        epoch,
                        log.logEndOffset(),
                        lastFetchedEpoch(),
                        getContext().getSelf()));
    }

    private void unfollow() {
        if (followedLeader >= 0 && !replica.replication().isStandalone()) {
            replica.replication()
                    .fetchers()
                    .tell(new ReplicaFetchers.Unfollow(tp(), getContext().getSelf()));
        }
        followedLeader = -1;
        followedEpoch = -1;
    }

    private int lastFetchedEpoch() {
        return replica.log().leaderEpochCache().latestEpoch().orElse(-1);
    }

    private FollowerProgress progress(Errors error, String message) {
        return new FollowerProgress(tp(), error, message, replica.log().logEndOffset(), lastFetchedEpoch());
    }

    /** A fetcher's command for another epoch than the one followed is stale. */
    private boolean isStale(int leaderEpoch) {
        return leaderEpoch != replica.leaderEpoch();
    }

    private FollowerProgress staleEpoch(int leaderEpoch) {
        return progress(
                Errors.FENCED_LEADER_EPOCH,
                "fetched at leader epoch " + leaderEpoch + " but " + tp() + " follows epoch " + replica.leaderEpoch());
    }

    private Behavior<Command> onAppendAsFollower(AppendAsFollower append) {
        if (isStale(append.leaderEpoch())) {
            append.replyTo().tell(staleEpoch(append.leaderEpoch()));
            return this;
        }
        PartitionLog log = replica.log();
        if (append.records().sizeInBytes() > 0) {
            AppendResult result = log.appendAsFollower(append.records());
            if (result instanceof AppendResult.Rejected rejected) {
                getContext()
                        .getLog()
                        .warn("replicated append to {} failed with {}: {}", tp(), rejected.error(), rejected.message());
                append.replyTo().tell(progress(rejected.error(), rejected.message()));
                return this;
            }
            maybeStartRollFlush();
        }
        try {
            log.maybeIncrementLogStartOffset(append.leaderLogStartOffset());
        } catch (IOException e) {
            getContext().getLog().error("following the log start offset of {} failed", tp(), e);
        }
        replica.followLeaderHighWatermark(append.leaderHighWatermark());
        append.replyTo().tell(progress(Errors.NONE, null));
        return this;
    }

    private Behavior<Command> onTruncateToEpoch(TruncateToEpoch truncate) {
        if (isStale(truncate.leaderEpoch())) {
            truncate.replyTo().tell(staleEpoch(truncate.leaderEpoch()));
            return this;
        }
        PartitionLog log = replica.log();
        long target = FollowerTruncation.offset(
                log.leaderEpochCache(),
                log.logEndOffset(),
                replica.highWatermark(),
                truncate.divergingEpoch(),
                truncate.divergingEndOffset());
        truncateTo(target, "leader epoch " + truncate.divergingEpoch() + " ends at " + truncate.divergingEndOffset());
        truncate.replyTo().tell(progress(Errors.NONE, null));
        return this;
    }

    private Behavior<Command> onResetOutOfRange(ResetOutOfRange reset) {
        if (isStale(reset.leaderEpoch())) {
            reset.replyTo().tell(staleEpoch(reset.leaderEpoch()));
            return this;
        }
        PartitionLog log = replica.log();
        try {
            if (log.logEndOffset() < reset.leaderLogStartOffset()) {
                getContext()
                        .getLog()
                        .warn(
                                "{}: log end offset {} is below the leader's log start offset {}: starting over there",
                                tp(),
                                log.logEndOffset(),
                                reset.leaderLogStartOffset());
                log.truncateFullyAndStartAt(reset.leaderLogStartOffset());
                replica.capHighWatermarkAtLogEnd();
            } else {
                truncateTo(reset.leaderHighWatermark(), "out of range at the leader");
            }
        } catch (IOException e) {
            getContext().getLog().error("resetting {} failed", tp(), e);
        }
        reset.replyTo().tell(progress(Errors.NONE, null));
        return this;
    }

    private void truncateTo(long offset, String why) {
        PartitionLog log = replica.log();
        long logEndOffset = log.logEndOffset();
        if (offset < logEndOffset) {
            getContext()
                    .getLog()
                    .info("{}: truncating from log end offset {} to {} ({})", tp(), logEndOffset, offset, why);
        }
        OptionalInt latestEpoch = log.leaderEpochCache().latestEpoch();
        try {
            // also at or past the log end: the log drops an epoch that starts there and holds nothing
            log.truncateTo(offset);
        } catch (IOException e) {
            getContext().getLog().error("truncating {} to {} failed", tp(), offset, e);
        }
        OptionalInt latestAfter = log.leaderEpochCache().latestEpoch();
        if (offset >= logEndOffset && !latestAfter.equals(latestEpoch)) {
            getContext()
                    .getLog()
                    .info(
                            "{}: at log end offset {}, dropped leader epoch {} that holds no record (latest now {}; {})",
                            tp(),
                            logEndOffset,
                            latestEpoch.isPresent() ? latestEpoch.getAsInt() : -1,
                            latestAfter.isPresent() ? latestAfter.getAsInt() : -1,
                            why);
        }
        replica.capHighWatermarkAtLogEnd();
    }

    private Rejection rejection(int currentLeaderEpoch) {
        return replica.checkLeaderEpoch(currentLeaderEpoch).orElseGet(replica::notLeader);
    }

    private Behavior<Command> onAppend(Append append) {
        Rejection rejected = replica.notLeader();
        append.replyTo()
                .tell(new AppendResponse(
                        tp(),
                        rejected.error(),
                        rejected.message(),
                        -1L,
                        RecordBatch.NO_TIMESTAMP,
                        replica.log().logStartOffset()));
        return this;
    }

    private Behavior<Command> onWriteTxnMarker(WriteTxnMarker marker) {
        Rejection rejected = replica.notLeader();
        marker.replyTo().tell(new TxnMarkerWritten(tp(), rejected.error(), rejected.message()));
        return this;
    }

    private Behavior<Command> onRead(Read read) {
        reject(read);
        return this;
    }

    private void reject(Read read) {
        Rejection rejected = rejection(read.currentLeaderEpoch());
        read.replyTo()
                .tell(new ReadResponse(
                        tp(),
                        rejected.error(),
                        rejected.message(),
                        null,
                        replica.highWatermark(),
                        replica.highWatermark(),
                        replica.log().logStartOffset(),
                        List.of()));
    }

    /** Answered at once, with the read's rejection: the consumer must find the leader. */
    private Behavior<Command> onAwaitData(AwaitData await) {
        reject(await.read());
        return this;
    }

    private Behavior<Command> onReplicaRead(ReplicaRead read) {
        Rejection rejected = rejection(read.currentLeaderEpoch());
        read.replyTo()
                .tell(new ReplicaReadResponse(
                        tp(),
                        rejected.error(),
                        rejected.message(),
                        null,
                        replica.highWatermark(),
                        replica.highWatermark(),
                        replica.log().logStartOffset(),
                        -1,
                        -1L));
        return this;
    }

    private Behavior<Command> onCountFetchWaiters(CountFetchWaiters count) {
        count.replyTo().tell(0);
        return this;
    }

    private Behavior<Command> onAwaitLogEnd(AwaitLogEnd await) {
        await.replyTo().tell(new DataAvailable(tp()));
        return this;
    }

    private Behavior<Command> onListOffsets(ListOffsets list) {
        Rejection rejected = rejection(list.currentLeaderEpoch());
        list.replyTo()
                .tell(new ListOffsetsResponse(
                        tp(), rejected.error(), RecordBatch.NO_TIMESTAMP, -1L, RecordBatch.NO_PARTITION_LEADER_EPOCH));
        return this;
    }

    private Behavior<Command> onDeleteRecords(DeleteRecords delete) {
        delete.replyTo().tell(new DeleteRecordsResponse(tp(), Errors.NOT_LEADER_OR_FOLLOWER, -1L));
        return this;
    }

    private Behavior<Command> onUpdateRegistration(UpdateRegistration update) {
        boolean applied = replica.applyRegistration(update.registration(), update.config());
        rescheduleFlushCheck();
        if (applied) {
            if (replica.isLeader()) {
                unfollow();
                return ofRole(getContext(), timers, replica, settings);
            }
            maybeFollow();
        }
        return this;
    }

    @Override
    protected void releaseWaiting() {
        unfollow();
    }
}
