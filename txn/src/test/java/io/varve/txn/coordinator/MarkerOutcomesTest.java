package io.varve.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.txn.TransactionCoordinator.MarkersWritten;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class MarkerOutcomesTest {
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition B0 = new TopicPartition("b", 0);
    private static final TopicPartition C0 = new TopicPartition("c", 0);

    private final MarkerRound round = new MarkerRound();

    @Test
    void writtenAndUnwritableAreDoneRetriableStayOwed() {
        long id = round.start(Set.of(A0, B0, C0), Set.of("g", "h"));

        MarkerOutcomes.Verdict verdict = MarkerOutcomes.apply(
                new MarkersWritten(
                        id,
                        Map.of(
                                A0,
                                Errors.NONE,
                                B0,
                                Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                C0,
                                Errors.NOT_LEADER_OR_FOLLOWER),
                        Map.of("g", Errors.NONE, "h", Errors.COORDINATOR_NOT_AVAILABLE)),
                round,
                "t",
                LoggerFactory.getLogger(getClass()));

        assertThat(verdict).isEqualTo(MarkerOutcomes.Verdict.CONTINUE);
        assertThat(round.partitions()).containsExactly(C0);
        assertThat(round.groups()).containsExactly("h");
        assertThat(round.isDone()).isFalse();
    }

    @Test
    void aFencedMarkerMeansANewerCoordinatorOwnsTheId() {
        long id = round.start(Set.of(A0), Set.of());

        MarkerOutcomes.Verdict verdict = MarkerOutcomes.apply(
                new MarkersWritten(id, Map.of(A0, Errors.TRANSACTION_COORDINATOR_FENCED), Map.of()),
                round,
                "t",
                LoggerFactory.getLogger(getClass()));

        assertThat(verdict).isEqualTo(MarkerOutcomes.Verdict.FENCED);
    }
}
