package io.varve.partition;

import static io.varve.partition.PartitionFixture.TP;
import static io.varve.partition.PartitionFixture.batch;
import static io.varve.partition.PartitionFixture.offsetsAndValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AwaitLogEnd;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.DataAvailable;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.partition.PartitionActor.TxnVerified;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import io.varve.storage.testing.CorruptBatches;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * A partition under bad input: every kind of corrupt batch is answered with its error code in the
 * request's own answer, and the partition keeps appending; a bug while handling a command answers
 * that command {@code UNKNOWN_SERVER_ERROR} at once and the replica is restarted, not stopped.
 */
class PartitionActorRobustnessTest extends PartitionActorTestBase {
    private static final long NOW = System.currentTimeMillis();

    @Test
    void everyCorruptBatchIsAnsweredAndThePartitionKeepsAppending() {
        ActorRef<Command> partition = fx.spawn();
        long expectedOffset = 0;
        for (CorruptBatches.Kind kind : CorruptBatches.all(NOW)) {
            AppendResponse rejected = fx.append(partition, kind.records(), 1);
            assertThat(rejected.error())
                    .as(kind.name() + ": " + rejected.message())
                    .isEqualTo(kind.expected());
            AppendResponse appended = fx.append(partition, batch("after", 1, NOW), 1);
            assertThat(appended.error()).as("after " + kind.name()).isEqualTo(Errors.NONE);
            assertThat(appended.baseOffset()).isEqualTo(expectedOffset++);
        }
        assertThat(offsetsAndValues(fx.read(partition, expectedOffset - 1, -1).slice()))
                .containsExactly((expectedOffset - 1) + ":after-0");
    }

    @Test
    void malformedRecordsComeBackWithTheirIndex() {
        ActorRef<Command> partition = fx.spawn();
        CorruptBatches.Kind kind = CorruptBatches.all(NOW).stream()
                .filter(k -> k.name().equals("record offset deltas out of order"))
                .findFirst()
                .orElseThrow();

        AppendResponse rejected = fx.append(partition, kind.records(), 1);

        assertThat(rejected.recordErrors()).hasSize(1);
        assertThat(rejected.recordErrors().get(0).batchIndex()).isZero();
    }

    @Test
    void aFailingCommandIsAnsweredAtOnceAndTheReplicaRestartsRatherThanStops() {
        AtomicInteger starts = new AtomicInteger();
        Behavior<Command> failing = Behaviors.setup(context -> {
            starts.incrementAndGet();
            return Behaviors.receiveMessage(command -> {
                if (command instanceof ListOffsets) {
                    throw new StackOverflowError("deep");
                }
                throw new IllegalStateException("a bug");
            });
        });
        ActorRef<Command> partition =
                testKit.spawn(Behaviors.supervise(Behaviors.intercept(() -> new RequestFailureInterceptor(TP), failing))
                        .onFailure(RuntimeException.class, SupervisorStrategy.restart()));
        TestProbe<AppendResponse> appends = testKit.createTestProbe();
        TestProbe<ReadResponse> reads = testKit.createTestProbe();
        TestProbe<ListOffsetsResponse> lists = testKit.createTestProbe();

        partition.tell(new Append(batch("a", 1, NOW), (short) 1, 1000, appends.ref()));
        AppendResponse append = appends.receiveMessage(Duration.ofSeconds(5));
        partition.tell(new PartitionActor.ListOffsets(-1L, false, -1, lists.ref()));
        ListOffsetsResponse list = lists.receiveMessage(Duration.ofSeconds(5));
        partition.tell(new Read(0, 100, false, true, -1, reads.ref()));
        ReadResponse read = reads.receiveMessage(Duration.ofSeconds(5));

        assertThat(append.error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(append.message()).contains("Append for orders-0 failed unexpectedly", "a bug");
        assertThat(list.error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(read.error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        partition.tell(new Append(batch("b", 1, NOW), (short) 1, 1000, appends.ref()));
        assertThat(appends.receiveMessage(Duration.ofSeconds(5)).error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(starts.get())
                .as("restarted after each failure, never stopped")
                .isGreaterThanOrEqualTo(4);
    }

    @Test
    void aFailingMarkerVerifiedAppendOrFollowerPollIsAnsweredToo() {
        Behavior<Command> failing = Behaviors.receiveMessage(command -> {
            throw new IllegalStateException("a bug in " + command.getClass().getSimpleName());
        });
        ActorRef<Command> partition =
                testKit.spawn(Behaviors.supervise(Behaviors.intercept(() -> new RequestFailureInterceptor(TP), failing))
                        .onFailure(RuntimeException.class, SupervisorStrategy.restart()));
        TestProbe<TxnMarkerWritten> markers = testKit.createTestProbe();
        TestProbe<AppendResponse> appends = testKit.createTestProbe();
        TestProbe<DataAvailable> polls = testKit.createTestProbe();

        partition.tell(new WriteTxnMarker(7L, (short) 1, 3, true, (short) 2, 1000, markers.ref()));
        TxnMarkerWritten marker = markers.receiveMessage(Duration.ofSeconds(5));
        Append verifiedAppend = new Append(batch("t", 1, NOW), (short) -1, 1000, appends.ref());
        partition.tell(new TxnVerified(verifiedAppend, 7L, 1L, Errors.NONE));
        AppendResponse append = appends.receiveMessage(Duration.ofSeconds(5));
        partition.tell(new AwaitLogEnd(5L, 500, () -> false, polls.ref()));
        DataAvailable poll = polls.receiveMessage(Duration.ofSeconds(5));

        assertThat(marker.tp()).isEqualTo(TP);
        assertThat(marker.error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(marker.message()).contains("WriteTxnMarker for orders-0 failed unexpectedly", "a bug");
        assertThat(append.error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(append.message()).contains("TxnVerified for orders-0 failed unexpectedly");
        assertThat(poll.tp()).isEqualTo(TP);
    }
}
