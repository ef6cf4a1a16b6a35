package io.varve.partition;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendAsFollower;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.AwaitLogEnd;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.DataAvailable;
import io.varve.partition.PartitionActor.DeleteRecords;
import io.varve.partition.PartitionActor.DeleteRecordsResponse;
import io.varve.partition.PartitionActor.DescribeProducers;
import io.varve.partition.PartitionActor.EpochEndOffset;
import io.varve.partition.PartitionActor.FollowerProgress;
import io.varve.partition.PartitionActor.LastOffsetForLeaderEpoch;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.ProducersResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.ReplicaRead;
import io.varve.partition.PartitionActor.ReplicaReadResponse;
import io.varve.partition.PartitionActor.ResetOutOfRange;
import io.varve.partition.PartitionActor.TruncateToEpoch;
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.partition.PartitionActor.TxnVerified;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;

/**
 * The partition actor's one boundary for the unexpected (STYLE: errors). When handling a command
 * throws, the command's sender is answered {@code UNKNOWN_SERVER_ERROR} at once, instead of waiting
 * for its ask to time out, with one ERROR line naming the partition and the command. The failure then
 * goes on to the supervisor declared in {@link PartitionActor#create}, which restarts the replica:
 * its log is closed and reopened, so a half-done write cannot linger. A {@code StackOverflowError} or
 * {@code OutOfMemoryError} is passed on as an {@code IllegalStateException}: Pekko would otherwise
 * treat it as fatal and stop the JVM, and one request must never take the node down.
 *
 * <p>Client bytes never get here: the log's validation answers them with Kafka error codes. Runs in
 * the partition actor, on its thread.
 */
final class RequestFailureInterceptor extends BehaviorInterceptor<Command, Command> {
    private final TopicPartition tp;

    RequestFailureInterceptor(TopicPartition tp) {
        super(Command.class);
        this.tp = tp;
    }

    @Override
    public Behavior<Command> aroundReceive(TypedActorContext<Command> ctx, Command msg, ReceiveTarget<Command> target) {
        try {
            return target.apply(ctx, msg);
        } catch (RuntimeException e) {
            answerFailed(ctx, msg, e);
            throw e;
        } catch (StackOverflowError | OutOfMemoryError e) {
            answerFailed(ctx, msg, e);
            throw new IllegalStateException(e.toString() + " while handling " + name(msg) + " for " + tp, e);
        }
    }

    private void answerFailed(TypedActorContext<Command> ctx, Command msg, Throwable failure) {
        String message = name(msg) + " for " + tp + " failed unexpectedly: " + failure;
        ctx.asJava().getLog().error("{}; answering UNKNOWN_SERVER_ERROR and restarting the replica", message, failure);
        Errors error = Errors.UNKNOWN_SERVER_ERROR;
        if (msg instanceof Append append) {
            answerAppend(append, error, message);
        } else if (msg instanceof TxnVerified verified) {
            answerAppend(verified.append(), error, message);
        } else if (msg instanceof WriteTxnMarker marker) {
            marker.replyTo().tell(new TxnMarkerWritten(tp, error, message));
        } else if (msg instanceof Read read) {
            read.replyTo().tell(new ReadResponse(tp, error, message, null, -1L, -1L, -1L, List.of()));
        } else if (msg instanceof AwaitData await) {
            await.read().replyTo().tell(new ReadResponse(tp, error, message, null, -1L, -1L, -1L, List.of()));
        } else if (msg instanceof ListOffsets list) {
            list.replyTo()
                    .tell(new ListOffsetsResponse(
                            tp, error, RecordBatch.NO_TIMESTAMP, -1L, RecordBatch.NO_PARTITION_LEADER_EPOCH));
        } else if (msg instanceof DeleteRecords delete) {
            delete.replyTo().tell(new DeleteRecordsResponse(tp, error, -1L));
        } else if (msg instanceof DescribeProducers describe) {
            describe.replyTo().tell(new ProducersResponse(tp, error, List.of()));
        } else {
            answerReplicationFailed(msg, error, message);
        }
    }

    private void answerAppend(Append append, Errors error, String message) {
        append.replyTo().tell(new AppendResponse(tp, error, message, -1L, RecordBatch.NO_TIMESTAMP, -1L));
    }

    /** The replication commands (a follower's fetch on the leader, the follower's own steps, API 23). */
    private void answerReplicationFailed(Command msg, Errors error, String message) {
        if (msg instanceof ReplicaRead read) {
            read.replyTo().tell(new ReplicaReadResponse(tp, error, message, null, -1L, -1L, -1L, -1, -1L));
        } else if (msg instanceof AppendAsFollower append) {
            append.replyTo().tell(new FollowerProgress(tp, error, message, -1L, -1));
        } else if (msg instanceof TruncateToEpoch truncate) {
            truncate.replyTo().tell(new FollowerProgress(tp, error, message, -1L, -1));
        } else if (msg instanceof ResetOutOfRange reset) {
            reset.replyTo().tell(new FollowerProgress(tp, error, message, -1L, -1));
        } else if (msg instanceof LastOffsetForLeaderEpoch last) {
            last.replyTo().tell(new EpochEndOffset(tp, error, -1, -1L));
        } else if (msg instanceof AwaitLogEnd await) {
            // wakes the follower's long poll: its next fetch meets the restarted replica
            await.replyTo().tell(new DataAvailable(tp));
        }
    }

    private static String name(Command msg) {
        return msg.getClass().getSimpleName();
    }
}
