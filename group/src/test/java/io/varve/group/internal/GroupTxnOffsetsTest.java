package io.varve.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.CommitTxnOffsets;
import io.varve.group.GroupCoordinator.CompleteTxnOffsets;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.group.GroupCoordinator.FetchOffsets;
import io.varve.group.GroupCoordinator.OffsetsResult;
import io.varve.group.GroupSettings;
import io.varve.metadata.MetadataCache;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transactional offset commits in the group entity: staged per producer until the transaction's
 * marker, visible after a commit, gone after an abort, unstable for require_stable fetches, and all
 * of it across a restart.
 */
@ExtendWith(LogCapturingExtension.class)
class GroupTxnOffsetsTest {
    private static final GroupSettings SETTINGS = GroupEntityKit.settings(Duration.ofDays(7), 3);
    private static final ActorTestKit TEST_KIT = GroupEntityKit.testKit();
    private static final TopicPartition IN_0 = new TopicPartition("in", 0);
    private static final TopicPartition IN_1 = new TopicPartition("in", 1);
    private static final long START_MS = GroupEntityKit.START_MS;
    private static final long PID = 42L;

    private final MetadataCache metadata = new MetadataCache(TestImages.withTopics(1, "in"));
    private EventSourcedBehaviorTestKit<GroupCoordinator.Command, GroupEvent, GroupRecord> entity;

    @BeforeEach
    void start() {
        entity = GroupEntityKit.entity(TEST_KIT, "g-txn", SETTINGS, metadata, () -> START_MS);
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    private Errors commitInTransaction(long producerId, TopicPartition partition, long offset) {
        return entity.<ErrorResult>runCommand(replyTo -> new CommitTxnOffsets(
                        producerId,
                        (short) 0,
                        "",
                        null,
                        -1,
                        Map.of(partition, new CommittedOffset(offset, 1, "txn", -1)),
                        replyTo))
                .reply()
                .error();
    }

    private OffsetsResult fetch(boolean requireStable) {
        return entity.<OffsetsResult>runCommand(
                        replyTo -> new FetchOffsets(false, List.of(IN_0, IN_1), requireStable, replyTo))
                .reply();
    }

    private void marker(long producerId, boolean commit) {
        var marked = entity.<ErrorResult>runCommand(
                replyTo -> new CompleteTxnOffsets(producerId, (short) 0, commit, replyTo));
        assertThat(marked.reply().error()).isEqualTo(Errors.NONE);
    }

    @Test
    void stagedOffsetsAreInvisibleAndUnstableUntilTheCommitMarker() {
        assertThat(commitInTransaction(PID, IN_0, 17)).isEqualTo(Errors.NONE);

        assertThat(fetch(false).offsets()).isEmpty();
        assertThat(fetch(false).unstable()).isEmpty();
        assertThat(fetch(true).unstable()).isEqualTo(Set.of(IN_0));

        entity.restart();
        assertThat(fetch(true).unstable()).isEqualTo(Set.of(IN_0));

        marker(PID, true);
        OffsetsResult committed = fetch(true);
        assertThat(committed.unstable()).isEmpty();
        assertThat(committed.offsets().get(IN_0))
                .extracting(CommittedOffset::offset, CommittedOffset::metadata, CommittedOffset::commitTimestampMs)
                .containsExactly(17L, "txn", START_MS);
    }

    @Test
    void anAbortMarkerDropsTheProducersOffsetsOnly() {
        commitInTransaction(PID, IN_0, 5);
        commitInTransaction(PID + 1, IN_1, 9);

        marker(PID, false);

        assertThat(fetch(true).unstable()).isEqualTo(Set.of(IN_1));
        marker(PID + 1, true);
        assertThat(fetch(true).offsets()).containsOnlyKeys(IN_1);
    }

    @Test
    void aMarkerForAProducerWithNothingStagedChangesNothing() {
        var marked = entity.<ErrorResult>runCommand(replyTo -> new CompleteTxnOffsets(99L, (short) 0, true, replyTo));

        assertThat(marked.reply().error()).isEqualTo(Errors.NONE);
        assertThat(marked.hasNoEvents()).isTrue();
    }

    @Test
    void aGenerationForAnUnknownGroupIsRefused() {
        var refused = entity.<ErrorResult>runCommand(replyTo -> new CommitTxnOffsets(
                PID, (short) 0, "member-1", null, 3, Map.of(IN_0, new CommittedOffset(1, -1, "", -1)), replyTo));

        assertThat(refused.reply().error()).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(refused.hasNoEvents()).isTrue();
    }
}
