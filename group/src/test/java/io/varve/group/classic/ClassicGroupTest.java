package io.varve.group.classic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The classic group state machine without actors: a manual clock and captured answers. */
class ClassicGroupTest {
    private static final int SESSION_MS = 10_000;
    private static final int REBALANCE_MS = 30_000;
    private static final GroupLimits LIMITS = new GroupLimits(3_000, 6_000, 1_800_000, 3, 300_000);

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ClassicGroup group = new ClassicGroup(LIMITS, now::get);

    @Test
    void firstJoinGetsMemberIdRequired() {
        JoinResult result = join("", null, "range");

        assertThat(result.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(result.memberId()).startsWith("client-");
        assertThat(group.state()).isEqualTo(GroupState.EMPTY);
    }

    @Test
    void initialRebalanceWaitsForTheDelayThenElectsLeaderAndCompletes() {
        List<JoinResult> first = joinAsync(join("", null, "range").memberId(), null, "range");
        List<JoinResult> second = joinAsync(join("", null, "range").memberId(), null, "range");
        assertThat(group.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(first).isEmpty();

        advance(3_000);
        // a member joined during the delay: Kafka extends it once more
        assertThat(first).isEmpty();
        advance(3_000);

        assertThat(group.state()).isEqualTo(GroupState.COMPLETING_REBALANCE);
        JoinResult leader = first.get(0);
        assertThat(leader.error()).isEqualTo(Errors.NONE);
        assertThat(leader.generationId()).isEqualTo(1);
        assertThat(leader.protocolName()).isEqualTo("range");
        assertThat(leader.leaderId()).isEqualTo(leader.memberId());
        assertThat(leader.members()).hasSize(2);
        assertThat(second.get(0).members()).isEmpty();
        assertThat(second.get(0).leaderId()).isEqualTo(leader.memberId());
    }

    @Test
    void leaderSyncMakesTheGroupStableAndHandsOutAssignments() {
        List<JoinResult> joined = formGroup(2);
        String leader = joined.get(0).memberId();
        String follower = joined.get(1).memberId();
        List<SyncResult> followerSync = syncAsync(follower, 1, Map.of());
        assertThat(followerSync).isEmpty();

        List<SyncResult> leaderSync = syncAsync(leader, 1, Map.of(leader, new byte[] {1}, follower, new byte[] {2}));

        assertThat(group.state()).isEqualTo(GroupState.STABLE);
        assertThat(leaderSync.get(0).assignment()).containsExactly(1);
        assertThat(followerSync.get(0).assignment()).containsExactly(2);
        assertThat(group.metadata().generationId()).isEqualTo(1);
        assertThat(group.metadata().members()).hasSize(2);
    }

    @Test
    void heartbeatChecksMemberAndGeneration() {
        List<JoinResult> joined = formGroup(1);
        String member = joined.get(0).memberId();
        syncAsync(member, 1, Map.of(member, new byte[] {1}));

        assertThat(group.heartbeat(member, null, 1)).isEqualTo(Errors.NONE);
        assertThat(group.heartbeat(member, null, 0)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(group.heartbeat("nobody", null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void newMemberTriggersRebalanceAndExistingMembersSeeRebalanceInProgress() {
        List<JoinResult> joined = formGroup(1);
        String first = joined.get(0).memberId();
        syncAsync(first, 1, Map.of(first, new byte[] {1}));

        List<JoinResult> newcomer = joinAsync(join("", null, "range").memberId(), null, "range");

        assertThat(group.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
        assertThat(group.heartbeat(first, null, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        List<JoinResult> rejoin = joinAsync(first, null, "range");
        assertThat(rejoin.get(0).generationId()).isEqualTo(2);
        assertThat(newcomer.get(0).generationId()).isEqualTo(2);
        assertThat(group.validateOffsetCommit(first, null, 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void memberThatDoesNotRejoinWithinRebalanceTimeoutIsRemoved() {
        List<JoinResult> joined = formGroup(2);
        String leader = joined.get(0).memberId();
        String follower = joined.get(1).memberId();
        syncAsync(follower, 1, Map.of());
        syncAsync(leader, 1, Map.of(leader, new byte[] {1}, follower, new byte[] {2}));

        List<JoinResult> rejoin = joinAsync(leader, null, "range", "roundrobin");
        group.heartbeat(follower, null, 1);
        advance(REBALANCE_MS);

        assertThat(rejoin.get(0).generationId()).isEqualTo(2);
        assertThat(rejoin.get(0).members()).extracting(JoinedMember::memberId).containsExactly(leader);
        assertThat(group.heartbeat(follower, null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void silentMemberExpiresAfterSessionTimeout() {
        List<JoinResult> joined = formGroup(1);
        String member = joined.get(0).memberId();
        syncAsync(member, 1, Map.of(member, new byte[] {1}));

        advance(SESSION_MS);

        assertThat(group.state()).isEqualTo(GroupState.EMPTY);
        assertThat(group.generationId()).isEqualTo(2);
        assertThat(group.metadata().members()).isEmpty();
    }

    @Test
    void leaveGroupRemovesMembersInOneBatch() {
        List<JoinResult> joined = formGroup(2);
        String leader = joined.get(0).memberId();
        String follower = joined.get(1).memberId();
        syncAsync(leader, 1, Map.of());

        LeaveResult result = group.leave(List.of(
                new LeavingMember(leader, null), new LeavingMember(follower, null), new LeavingMember("ghost", null)));

        assertThat(result.members())
                .extracting(MemberLeft::error)
                .containsExactly(Errors.NONE, Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
        assertThat(group.state()).isEqualTo(GroupState.EMPTY);
    }

    @Test
    void protocolSelectionPicksTheMostPreferredCommonProtocol() {
        List<JoinResult> a = joinAsync(join("", null, "roundrobin", "range").memberId(), null, "roundrobin", "range");
        joinAsync(join("", null, "range", "roundrobin").memberId(), null, "range", "roundrobin");
        joinAsync(join("", null, "roundrobin").memberId(), null, "roundrobin");
        advance(3_000);
        advance(3_000);
        advance(3_000);

        assertThat(a.get(0).protocolName()).isEqualTo("roundrobin");
    }

    @Test
    void inconsistentProtocolAndSessionTimeoutAreRejected() {
        formGroup(1);

        JoinResult other = join("", null, "sticky");
        JoinResult badSession = sendJoin(new JoinRequest(
                "", null, "c", "h", 1, REBALANCE_MS, "consumer", List.of(new Protocol("range", new byte[0])), true));

        assertThat(other.error()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(badSession.error()).isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
    }

    @Test
    void groupMaxSizeIsEnforced() {
        formGroup(3);

        assertThat(join("", null, "range").error()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void staticMemberRejoinsWithoutRebalanceAndOldIdIsFenced() {
        List<JoinResult> first = joinAsync("", "instance-1", "range");
        List<JoinResult> second = joinAsync("", "instance-2", "range");
        advance(3_000);
        advance(3_000);
        String leader = first.get(0).memberId();
        String follower = second.get(0).memberId();
        syncAsync(follower, 1, Map.of());
        syncAsync(leader, 1, Map.of(leader, new byte[] {1}, follower, new byte[] {2}));

        List<JoinResult> restarted = joinAsync("", "instance-2", "range");

        assertThat(group.state()).isEqualTo(GroupState.STABLE);
        JoinResult rejoined = restarted.get(0);
        assertThat(rejoined.error()).isEqualTo(Errors.NONE);
        assertThat(rejoined.generationId()).isEqualTo(1);
        assertThat(rejoined.memberId()).isNotEqualTo(follower);
        assertThat(syncAsync(rejoined.memberId(), "instance-2", 1).get(0).assignment())
                .containsExactly(2);
        assertThat(group.heartbeat(follower, "instance-2", 1)).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(group.heartbeat(leader, "instance-1", 1)).isEqualTo(Errors.NONE);
    }

    @Test
    void offsetCommitChecksFollowKafka() {
        assertThat(group.validateOffsetCommit("", null, -1)).isEqualTo(Errors.NONE);
        List<JoinResult> joined = formGroup(1);
        String member = joined.get(0).memberId();

        assertThat(group.validateOffsetCommit(member, null, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        syncAsync(member, 1, Map.of(member, new byte[] {1}));
        assertThat(group.validateOffsetCommit(member, null, 1)).isEqualTo(Errors.NONE);
        assertThat(group.validateOffsetCommit(member, null, 0)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(group.validateOffsetCommit("", null, -1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(group.validateOffsetCommit("ghost", null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void restoredGroupIsStableAndKeepsGenerationAndAssignments() {
        List<JoinResult> joined = formGroup(1);
        String member = joined.get(0).memberId();
        syncAsync(member, 1, Map.of(member, new byte[] {7}));
        GroupMetadata stored = group.metadata();

        ClassicGroup restored = new ClassicGroup(LIMITS, now::get);
        restored.restore(stored);

        assertThat(restored.state()).isEqualTo(GroupState.STABLE);
        assertThat(restored.heartbeat(member, null, 1)).isEqualTo(Errors.NONE);
        assertThat(restored.describe(true).members().get(0).assignment()).containsExactly(7);
    }

    // ---- helpers

    /** Forms a group of n dynamic members in generation 1 (CompletingRebalance); leader first. */
    private List<JoinResult> formGroup(int n) {
        List<List<JoinResult>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(joinAsync(join("", null, "range").memberId(), null, "range"));
        }
        for (int i = 0; i <= n; i++) {
            advance(3_000);
        }
        List<JoinResult> results = answers.stream().map(a -> a.get(0)).toList();
        assertThat(results).allSatisfy(r -> assertThat(r.error()).isEqualTo(Errors.NONE));
        return results;
    }

    private void advance(long ms) {
        now.addAndGet(ms);
        group.onDeadline();
        group.drain().sendReplies();
    }

    private JoinResult join(String memberId, String instanceId, String... protocols) {
        List<JoinResult> answers = joinAsync(memberId, instanceId, protocols);
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private List<JoinResult> joinAsync(String memberId, String instanceId, String... protocols) {
        List<Protocol> list = new ArrayList<>();
        for (String name : protocols) {
            list.add(new Protocol(name, new byte[] {(byte) name.length()}));
        }
        List<JoinResult> answers = new ArrayList<>();
        group.join(
                new JoinRequest(
                        memberId, instanceId, "client", "/127.0.0.1", SESSION_MS, REBALANCE_MS, "consumer", list, true),
                answers::add);
        group.drain().sendReplies();
        return answers;
    }

    private JoinResult sendJoin(JoinRequest request) {
        List<JoinResult> answers = new ArrayList<>();
        group.join(request, answers::add);
        group.drain().sendReplies();
        return answers.get(0);
    }

    private List<SyncResult> syncAsync(String memberId, int generation, Map<String, byte[]> assignments) {
        return sync(memberId, null, generation, assignments);
    }

    private List<SyncResult> syncAsync(String memberId, String instanceId, int generation) {
        return sync(memberId, instanceId, generation, Map.of());
    }

    private List<SyncResult> sync(String memberId, String instanceId, int generation, Map<String, byte[]> assignments) {
        List<SyncResult> answers = new ArrayList<>();
        group.sync(new SyncRequest(memberId, instanceId, generation, "consumer", null, assignments), answers::add);
        group.drain().sendReplies();
        return answers;
    }
}
