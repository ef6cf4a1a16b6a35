package io.varve.partition;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AppendTimedOut;
import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.CountFetchWaiters;
import io.varve.partition.PartitionActor.DeleteRecords;
import io.varve.partition.PartitionActor.DeleteRecordsResponse;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.SweepFetchWaiters;
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.partition.PartitionActor.TxnVerified;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A replica whose registration names another leader. Leader-only requests (produce, fetch, ListOffsets,
 * DeleteRecords) answer {@code NOT_LEADER_OR_FOLLOWER} after the leader-epoch check (KIP-320), so
 * clients refresh their metadata; long polls are answered at once for the same reason. Fetching from
 * the leader (the replica fetcher) comes later. Becomes a {@link LeaderBehavior} when a registration
 * names this node. Runs on {@code varve.storage-dispatcher}.
 */
final class FollowerBehavior extends ReplicaBehavior {

    FollowerBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            HostedReplica replica,
            PartitionSettings settings) {
        super(context, timers, replica, settings);
        context.getLog()
                .info(
                        "following {} at epoch {}: leader {}",
                        replica.tp(),
                        replica.leaderEpoch(),
                        replica.registration().leader());
    }

    @Override
    protected long stableOffset() {
        return replica.highWatermark();
    }

    @Override
    public Receive<Command> createReceive() {
        return commonReceive()
                .onMessage(Append.class, this::onAppend)
                .onMessage(AppendTimedOut.class, timedOut -> this)
                .onMessage(Read.class, this::onRead)
                .onMessage(AwaitData.class, this::onAwaitData)
                .onMessage(SweepFetchWaiters.class, sweep -> this)
                .onMessage(CountFetchWaiters.class, this::onCountFetchWaiters)
                .onMessage(ListOffsets.class, this::onListOffsets)
                .onMessage(DeleteRecords.class, this::onDeleteRecords)
                .onMessage(UpdateRegistration.class, this::onUpdateRegistration)
                .onMessage(WriteTxnMarker.class, this::onWriteTxnMarker)
                .onMessage(TxnVerified.class, verified -> onAppend(verified.append()))
                .build();
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

    private Behavior<Command> onCountFetchWaiters(CountFetchWaiters count) {
        count.replyTo().tell(0);
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
        if (replica.applyRegistration(update.registration(), update.config()) && replica.isLeader()) {
            return ofRole(getContext(), timers, replica, settings);
        }
        return this;
    }

    @Override
    protected void releaseWaiting() {
        // a follower parks nothing
    }
}
