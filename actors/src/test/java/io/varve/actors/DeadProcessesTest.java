package io.varve.actors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which members {@link DeadProcesses} downs, poll by poll, in a cluster of this node (1) and two others. */
class DeadProcessesTest {
    private static final long SELF = 1;
    private static final long SETTLE = 2_000;
    private static final DeadProcesses.Member TWO = serving(2);
    private static final DeadProcesses.Member THREE = serving(3);

    private final DeadProcesses deaths = new DeadProcesses(SELF, 2, SETTLE);
    private long now = 10_000;

    @Test
    void aMemberWhoseLockIsGoneInTwoPollsInARowIsDownedOnce() {
        assertThat(poll(Set.of(1L, 2L, 3L), TWO, THREE)).isEmpty();
        assertThat(poll(Set.of(1L, 2L), TWO, THREE)).isEmpty();
        assertThat(poll(Set.of(1L, 2L), TWO, THREE)).containsExactly(THREE);
        assertThat(poll(Set.of(1L, 2L), TWO, THREE)).isEmpty();
    }

    @Test
    void aLockThatShowsAgainStartsTheCountAfresh() {
        poll(Set.of(1L, 2L, 3L), TWO, THREE);
        assertThat(poll(Set.of(1L, 2L), TWO, THREE)).isEmpty();
        assertThat(poll(Set.of(1L, 2L, 3L), TWO, THREE)).isEmpty();
        assertThat(poll(Set.of(1L, 2L), TWO, THREE)).isEmpty();
        assertThat(poll(Set.of(1L, 2L), TWO, THREE)).containsExactly(THREE);
    }

    @Test
    void aMemberNeverSeenHoldingALockIsNeverJudged() {
        for (int i = 0; i < 5; i++) {
            assertThat(poll(Set.of(1L, 2L), TWO, THREE)).isEmpty();
        }
    }

    @Test
    void withoutItsOwnLockThisNodeJudgesNobody() {
        poll(Set.of(1L, 2L, 3L), TWO, THREE);
        assertThat(poll(Set.of(2L), TWO, THREE)).isEmpty();
        assertThat(poll(Set.of(2L), TWO, THREE)).isEmpty();
        // the count starts again once its own lock shows
        assertThat(poll(Set.of(1L, 2L), TWO, THREE)).isEmpty();
        assertThat(poll(Set.of(1L, 2L), TWO, THREE)).containsExactly(THREE);
    }

    @Test
    void aNewLockSessionWaitsTheSettleTimeBeforeJudging() {
        long sessionStart = now;
        assertThat(deaths.observe(Set.of(1L, 2L, 3L), sessionStart, now, List.of(TWO, THREE)))
                .isEmpty();
        assertThat(deaths.observe(Set.of(1L, 2L), sessionStart, now + 500, List.of(TWO, THREE)))
                .isEmpty();
        assertThat(deaths.observe(Set.of(1L, 2L), sessionStart, now + 1_000, List.of(TWO, THREE)))
                .isEmpty();
        assertThat(deaths.observe(Set.of(1L, 2L), sessionStart, now + SETTLE, List.of(TWO, THREE)))
                .containsExactly(THREE);
    }

    @Test
    void aNodeLeftWithoutAMajorityLeavesTheDecisionToTheSplitBrainResolver() {
        poll(Set.of(1L, 2L, 3L), TWO, THREE);
        assertThat(poll(Set.of(1L), TWO, THREE)).isEmpty();
        assertThat(poll(Set.of(1L), TWO, THREE)).isEmpty();
    }

    @Test
    void anUnreachableMemberCountsAgainstTheMajority() {
        DeadProcesses.Member twoUnreachable = new DeadProcesses.Member(2, true, true, true);
        poll(Set.of(1L, 2L, 3L), twoUnreachable, THREE);
        poll(Set.of(1L, 2L), twoUnreachable, THREE);
        assertThat(poll(Set.of(1L, 2L), twoUnreachable, THREE)).isEmpty();
    }

    @Test
    void aLeavingMemberIsNotJudgedAndADownedOneNotCounted() {
        DeadProcesses.Member threeLeaving = new DeadProcesses.Member(3, false, true, false);
        poll(Set.of(1L, 2L, 3L), TWO, threeLeaving);
        poll(Set.of(1L, 2L), TWO, threeLeaving);
        assertThat(poll(Set.of(1L, 2L), TWO, threeLeaving)).isEmpty();

        // four members, one already downed (and unreachable): it is not counted, so one dead of the
        // three counted leaves a majority (counted, the unreachable fourth would leave two of four)
        DeadProcesses four = new DeadProcesses(SELF, 1, SETTLE);
        DeadProcesses.Member downed = new DeadProcesses.Member(4, false, false, true);
        four.observe(Set.of(1L, 2L, 3L, 4L), 0, now, List.of(TWO, THREE, downed));
        assertThat(four.observe(Set.of(1L, 2L), 0, now, List.of(TWO, THREE, downed)))
                .containsExactly(THREE);
    }

    private List<DeadProcesses.Member> poll(Set<Long> held, DeadProcesses.Member... members) {
        now += 250;
        return deaths.observe(held, 0, now, List.of(members));
    }

    private static DeadProcesses.Member serving(long uid) {
        return new DeadProcesses.Member(uid, true, true, false);
    }
}
