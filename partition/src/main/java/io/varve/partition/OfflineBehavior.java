package io.varve.partition;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendAsFollower;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.AwaitLogEnd;
import io.varve.partition.PartitionActor.CleanableDescription;
import io.varve.partition.PartitionActor.CleaningStarted;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.CountFetchWaiters;
import io.varve.partition.PartitionActor.DataAvailable;
import io.varve.partition.PartitionActor.DeleteRecords;
import io.varve.partition.PartitionActor.DeleteRecordsResponse;
import io.varve.partition.PartitionActor.DescribeCleanable;
import io.varve.partition.PartitionActor.DescribeLog;
import io.varve.partition.PartitionActor.DescribeProducers;
import io.varve.partition.PartitionActor.FollowerProgress;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.LogDescription;
import io.varve.partition.PartitionActor.ProducersResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.ReplicaRead;
import io.varve.partition.PartitionActor.ReplicaReadResponse;
import io.varve.partition.PartitionActor.ResetOutOfRange;
import io.varve.partition.PartitionActor.StartCleaning;
import io.varve.partition.PartitionActor.Stop;
import io.varve.partition.PartitionActor.Stopped;
import io.varve.partition.PartitionActor.SwapCleaned;
import io.varve.partition.PartitionActor.TruncateToEpoch;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * A replica whose log could not be opened (an I/O error, or a directory of another topic id), or
 * whose actor stopped after failing ({@link PartitionActor#offline}): every request answers {@code
 * KAFKA_STORAGE_ERROR}, as Kafka answers for a partition in an offline log directory, until the
 * replica manager stops it. Holds no open file.
 */
final class OfflineBehavior extends AbstractBehavior<Command> {
    private static final Errors ERROR = Errors.KAFKA_STORAGE_ERROR;

    private final TopicPartition tp;
    private final Path partitionDir;
    private final String message;

    OfflineBehavior(ActorContext<Command> context, TopicPartition tp, Path partitionDir, String message) {
        super(context);
        this.tp = tp;
        this.partitionDir = partitionDir;
        this.message = message;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Append.class, this::onAppend)
                .onMessage(PartitionActor.WriteTxnMarker.class, this::onWriteTxnMarker)
                .onMessage(Read.class, this::onRead)
                .onMessage(AwaitData.class, this::onAwaitData)
                .onMessage(CountFetchWaiters.class, this::onCountFetchWaiters)
                .onMessage(ListOffsets.class, this::onListOffsets)
                .onMessage(DeleteRecords.class, this::onDeleteRecords)
                .onMessage(DescribeProducers.class, this::onDescribeProducers)
                .onMessage(DescribeLog.class, this::onDescribeLog)
                .onMessage(ReplicaRead.class, this::onReplicaRead)
                .onMessage(AwaitLogEnd.class, this::onAwaitLogEnd)
                .onMessage(AppendAsFollower.class, append -> progressFailed(append.replyTo()))
                .onMessage(TruncateToEpoch.class, truncate -> progressFailed(truncate.replyTo()))
                .onMessage(ResetOutOfRange.class, reset -> progressFailed(reset.replyTo()))
                .onMessage(Stop.class, this::onStop)
                .onMessage(DescribeCleanable.class, this::onDescribeCleanable)
                .onMessage(StartCleaning.class, this::onStartCleaning)
                .onMessage(SwapCleaned.class, this::onSwapCleaned)
                .onMessage(Command.class, ignored -> this)
                .build();
    }

    private Behavior<Command> onAppend(Append append) {
        append.replyTo().tell(new AppendResponse(tp, ERROR, message, -1L, RecordBatch.NO_TIMESTAMP, -1L));
        return this;
    }

    private Behavior<Command> onWriteTxnMarker(PartitionActor.WriteTxnMarker marker) {
        marker.replyTo().tell(new PartitionActor.TxnMarkerWritten(tp, ERROR, message));
        return this;
    }

    private Behavior<Command> onRead(Read read) {
        read.replyTo().tell(new ReadResponse(tp, ERROR, message, null, -1L, -1L, -1L, List.of()));
        return this;
    }

    private Behavior<Command> onAwaitData(AwaitData await) {
        return onRead(await.read());
    }

    private Behavior<Command> onReplicaRead(ReplicaRead read) {
        read.replyTo().tell(new ReplicaReadResponse(tp, ERROR, message, null, -1L, -1L, -1L, -1, -1L));
        return this;
    }

    private Behavior<Command> onAwaitLogEnd(AwaitLogEnd await) {
        await.replyTo().tell(new DataAvailable(tp));
        return this;
    }

    private Behavior<Command> progressFailed(ActorRef<FollowerProgress> replyTo) {
        replyTo.tell(new FollowerProgress(tp, ERROR, message, -1L, -1));
        return this;
    }

    private Behavior<Command> onCountFetchWaiters(CountFetchWaiters count) {
        count.replyTo().tell(0);
        return this;
    }

    private Behavior<Command> onListOffsets(ListOffsets list) {
        list.replyTo()
                .tell(new ListOffsetsResponse(
                        tp, ERROR, RecordBatch.NO_TIMESTAMP, -1L, RecordBatch.NO_PARTITION_LEADER_EPOCH));
        return this;
    }

    private Behavior<Command> onDeleteRecords(DeleteRecords delete) {
        delete.replyTo().tell(new DeleteRecordsResponse(tp, ERROR, -1L));
        return this;
    }

    private Behavior<Command> onDescribeProducers(DescribeProducers describe) {
        describe.replyTo().tell(new ProducersResponse(tp, ERROR, List.of()));
        return this;
    }

    private Behavior<Command> onDescribeLog(DescribeLog describe) {
        describe.replyTo().tell(new LogDescription(tp, 0L, -1L, -1L, -1L, -1L, true));
        return this;
    }

    private Behavior<Command> onDescribeCleanable(DescribeCleanable describe) {
        describe.replyTo().tell(new CleanableDescription(tp, null, 0.0));
        return this;
    }

    private Behavior<Command> onStartCleaning(StartCleaning start) {
        start.replyTo().tell(new CleaningStarted(tp, null, message));
        return this;
    }

    private Behavior<Command> onSwapCleaned(SwapCleaned swap) {
        CleaningHandler.refuseSwap(tp, swap, message);
        return this;
    }

    private Behavior<Command> onStop(Stop stop) {
        if (stop.deleteLog()) {
            HostedReplica.deleteRecursively(partitionDir);
        }
        stop.replyTo().tell(new Stopped(tp));
        return Behaviors.stopped();
    }
}
