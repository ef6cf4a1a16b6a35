package io.varve.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.DeleteGroup;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.group.classic.GroupDescription;
import io.varve.group.classic.GroupMetadata;
import io.varve.group.classic.GroupState;
import io.varve.group.classic.MemberMetadata;
import io.varve.group.internal.GroupEvent.GroupDeleted;
import io.varve.group.internal.GroupEvent.GroupMetadataStored;
import io.varve.metadata.MetadataCache;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A member whose session deadline has passed is gone for every request, whether or not the entity's
 * deadline timer has fired yet (Pekko's scheduler fires up to a tick late; Kafka's timer does not).
 * The clock is moved by hand and the timer never fires here: the test kit's entity gets no time.
 */
@ExtendWith(LogCapturingExtension.class)
class SessionExpiryTest {
    private static final ActorTestKit TEST_KIT = GroupEntityKit.testKit();
    private static final long T0 = GroupEntityKit.START_MS;
    // long enough that the deadline timer, scheduled in real time from the manual clock, never fires
    // while a test runs, however slow the machine (at 6 s it fired once in a loaded run)
    private static final int SESSION_MS = 600_000;

    private final AtomicLong clock = new AtomicLong(T0);
    private EventSourcedBehaviorTestKit<GroupCoordinator.Command, GroupEvent, GroupRecord> entity;

    @BeforeEach
    void start() {
        entity = GroupEntityKit.entity(
                TEST_KIT,
                "g1",
                GroupEntityKit.settings(Duration.ofDays(7), 100),
                new MetadataCache(TestImages.withTopics(1, "orders")),
                clock::get);
        // a stable group of one static member, restored at T0: its session runs until T0 + 10 min
        entity.initialize(new GroupMetadataStored(
                new GroupMetadata(
                        3,
                        "consumer",
                        "range",
                        "static-1",
                        List.of(new MemberMetadata(
                                "static-1", "instance-1", "c", "/h", SESSION_MS, 30_000, new byte[0], new byte[0]))),
                T0));
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void deleteGroupsAtTheSessionDeadlineFindsTheGroupEmpty() {
        clock.set(T0 + SESSION_MS - 1);
        assertThat(entity.<ErrorResult>runCommand(DeleteGroup::new).reply().error())
                .isEqualTo(Errors.NON_EMPTY_GROUP);

        clock.set(T0 + SESSION_MS);
        var delete = entity.<ErrorResult>runCommand(DeleteGroup::new);

        assertThat(delete.reply().error()).isEqualTo(Errors.NONE);
        assertThat(delete.events()).containsExactly(new GroupDeleted(4));
    }

    @Test
    void aMemberPastItsSessionIsUnknownToItsNextHeartbeat() {
        clock.set(T0 + SESSION_MS);

        var heartbeat = entity.<ErrorResult>runCommand(
                replyTo -> new GroupCoordinator.Heartbeat("static-1", "instance-1", 3, replyTo));

        assertThat(heartbeat.reply().error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        GroupDescription described = entity.<GroupDescription>runCommand(GroupCoordinator.DescribeGroup::new)
                .reply();
        assertThat(described.state()).isEqualTo(GroupState.EMPTY);
        assertThat(described.members()).isEmpty();
    }

    @Test
    void aHeartbeatBeforeTheDeadlineKeepsTheMember() {
        clock.set(T0 + SESSION_MS - 1);
        assertThat(entity.<ErrorResult>runCommand(
                                replyTo -> new GroupCoordinator.Heartbeat("static-1", "instance-1", 3, replyTo))
                        .reply()
                        .error())
                .isEqualTo(Errors.NONE);

        clock.set(T0 + SESSION_MS + 1);
        GroupDescription described = entity.<GroupDescription>runCommand(GroupCoordinator.DescribeGroup::new)
                .reply();
        assertThat(described.state()).isEqualTo(GroupState.STABLE);
    }
}
