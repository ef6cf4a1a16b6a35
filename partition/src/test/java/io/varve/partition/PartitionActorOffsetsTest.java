package io.varve.partition;

import static io.varve.partition.PartitionFixture.EPOCH;
import static io.varve.partition.PartitionFixture.TP;
import static io.varve.partition.PartitionFixture.batch;
import static io.varve.partition.PartitionFixture.offsetsAndValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.DeleteRecordsResponse;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import java.util.List;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

class PartitionActorOffsetsTest extends PartitionActorTestBase {

    /** Offsets 0-1 at t=1000, offset 2 at t=3000, offsets 3-4 at t=2000. */
    private ActorRef<Command> threeBatches() {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 2, 1_000L), 1);
        fx.append(partition, batch("b", 1, 3_000L), 1);
        fx.append(partition, batch("c", 2, 2_000L), 1);
        return partition;
    }

    private static ListOffsetsResponse answer(long timestamp, long offset, int leaderEpoch) {
        return new ListOffsetsResponse(TP, Errors.NONE, timestamp, offset, leaderEpoch);
    }

    @Test
    void listOffsetsAnswersEverySpecialTimestamp() {
        ActorRef<Command> partition = threeBatches();

        assertThat(fx.listOffsets(partition, ListOffsetsRequest.EARLIEST_TIMESTAMP))
                .isEqualTo(answer(-1, 0, EPOCH));
        assertThat(fx.listOffsets(partition, ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP))
                .isEqualTo(answer(-1, 0, EPOCH));
        assertThat(fx.listOffsets(partition, ListOffsetsRequest.LATEST_TIMESTAMP))
                .isEqualTo(answer(-1, 5, EPOCH));
        assertThat(fx.listOffsets(partition, ListOffsetsRequest.MAX_TIMESTAMP)).isEqualTo(answer(3_000, 2, EPOCH));
        assertThat(fx.listOffsets(partition, ListOffsetsRequest.LATEST_TIERED_TIMESTAMP))
                .isEqualTo(answer(-1, -1, -1));
    }

    @Test
    void listOffsetsByTimeFindsTheFirstRecordAtOrAfterIt() {
        ActorRef<Command> partition = threeBatches();

        assertThat(fx.listOffsets(partition, 0)).isEqualTo(answer(1_000, 0, EPOCH));
        assertThat(fx.listOffsets(partition, 1_000)).isEqualTo(answer(1_000, 0, EPOCH));
        assertThat(fx.listOffsets(partition, 1_500)).isEqualTo(answer(3_000, 2, EPOCH));
        assertThat(fx.listOffsets(partition, 3_000)).isEqualTo(answer(3_000, 2, EPOCH));
        assertThat(fx.listOffsets(partition, 3_001)).isEqualTo(answer(-1, -1, -1));
    }

    @Test
    void listOffsetsNeverAnswersPastTheHighWatermark() {
        fx.registration = PartitionFixture.registration(List.of(1, 2), 1, EPOCH, 0);
        ActorRef<Command> partition = threeBatches();

        assertThat(fx.listOffsets(partition, ListOffsetsRequest.LATEST_TIMESTAMP))
                .isEqualTo(answer(-1, 0, EPOCH));
        assertThat(fx.listOffsets(partition, 1_000)).isEqualTo(answer(-1, -1, -1));
        assertThat(fx.listOffsets(partition, ListOffsetsRequest.MAX_TIMESTAMP)).isEqualTo(answer(-1, -1, -1));
    }

    @Test
    void deleteRecordsMovesTheLogStartOffset() {
        ActorRef<Command> partition = threeBatches();

        assertThat(fx.deleteRecords(partition, 3)).isEqualTo(new DeleteRecordsResponse(TP, Errors.NONE, 3));

        assertThat(fx.read(partition, 2, -1).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(offsetsAndValues(fx.read(partition, 3, -1).slice())).containsExactly("3:c-0", "4:c-1");
        assertThat(fx.read(partition, 3, -1).logStartOffset()).isEqualTo(3);
        assertThat(fx.listOffsets(partition, ListOffsetsRequest.EARLIEST_TIMESTAMP))
                .isEqualTo(answer(-1, 3, EPOCH));
        assertThat(fx.deleteRecords(partition, 1)).isEqualTo(new DeleteRecordsResponse(TP, Errors.NONE, 3));
    }

    @Test
    void deleteRecordsToMinusOneDeletesUpToTheHighWatermark() {
        ActorRef<Command> partition = threeBatches();
        assertThat(fx.deleteRecords(partition, -1)).isEqualTo(new DeleteRecordsResponse(TP, Errors.NONE, 5));
        assertThat(fx.describe(partition).logStartOffset()).isEqualTo(5);
    }

    @Test
    void deleteRecordsPastTheHighWatermarkIsOutOfRange() {
        ActorRef<Command> partition = threeBatches();
        assertThat(fx.deleteRecords(partition, 6))
                .isEqualTo(new DeleteRecordsResponse(TP, Errors.OFFSET_OUT_OF_RANGE, -1));
        assertThat(fx.deleteRecords(partition, -7))
                .isEqualTo(new DeleteRecordsResponse(TP, Errors.OFFSET_OUT_OF_RANGE, -1));
        assertThat(fx.describe(partition).logStartOffset()).isZero();
    }

    @Test
    void deleteRecordsOnACompactedTopicIsAPolicyViolation() {
        fx.with(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        ActorRef<Command> partition = threeBatches();
        assertThat(fx.deleteRecords(partition, 2))
                .isEqualTo(new DeleteRecordsResponse(TP, Errors.POLICY_VIOLATION, -1));
    }
}
