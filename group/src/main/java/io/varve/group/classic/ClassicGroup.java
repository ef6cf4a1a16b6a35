package io.varve.group.classic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.protocol.Errors;

/**
 * The classic group protocol's state machine for one group: Empty → PreparingRebalance →
 * CompletingRebalance → Stable (→ Dead), with Kafka's checks and error codes for JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup and offset commits, static membership (KIP-345) and the
 * deadlines that drive it (initial rebalance delay, rebalance timeout, session timeouts).
 *
 * <p>Answers are not sent directly: each call queues them, together with the group metadata to
 * persist when a generation becomes stable or the group empty, and the owner takes both with
 * {@link #drain()} — it persists, then sends. Time comes from the injected clock; the owner calls
 * {@link #onDeadline()} at {@link #nextDeadlineMs()}. Not thread-safe: confined to its group
 * entity. Member liveness is not persisted: a restored group gets fresh session deadlines.
 */
public final class ClassicGroup {
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final GroupLimits limits;
    private final LongSupplier clock;
    private final Map<String, ClassicMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Map<String, Long> pendingMembers = new LinkedHashMap<>();
    private final Set<String> pendingSync = new LinkedHashSet<>();
    private final List<Runnable> replies = new ArrayList<>();
    private GroupMetadata toStore;

    private GroupState state = GroupState.EMPTY;
    private int generationId;
    private String protocolType;
    private String protocolName;
    private String leaderId;

    private long joinDeadlineMs = NO_DEADLINE;
    private long syncDeadlineMs = NO_DEADLINE;
    private boolean initialJoin;
    private boolean newMemberAdded;
    private long initialDelayRemainingMs;

    public ClassicGroup(GroupLimits limits, LongSupplier clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /** Restores a persisted generation: a group with members is Stable, with fresh session deadlines. */
    public void restore(GroupMetadata metadata) {
        generationId = metadata.generationId();
        protocolType = metadata.protocolType();
        protocolName = metadata.protocolName();
        leaderId = metadata.leaderId();
        for (MemberMetadata stored : metadata.members()) {
            ClassicMember member = ClassicMember.restore(stored, protocolName);
            member.heartbeatDeadlineMs = clock.getAsLong() + member.sessionTimeoutMs;
            members.put(member.memberId, member);
            if (member.isStatic()) {
                staticMembers.put(member.groupInstanceId, member.memberId);
            }
        }
        state = members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
    }

    // ---- JoinGroup

    public void join(JoinRequest request, Consumer<JoinResult> reply) {
        Errors error = checkJoin(request);
        if (error != Errors.NONE) {
            queue(reply, JoinResult.failed(error, request.memberId()));
        } else if (request.memberId().isEmpty()) {
            joinNewMember(request, reply);
        } else {
            joinExistingMember(request, reply);
        }
    }

    private Errors checkJoin(JoinRequest request) {
        if (state == GroupState.DEAD) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (request.sessionTimeoutMs() < limits.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > limits.maxSessionTimeoutMs()) {
            return Errors.INVALID_SESSION_TIMEOUT;
        }
        if (request.protocolType() == null
                || request.protocolType().isEmpty()
                || request.protocols().isEmpty()) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (!members.isEmpty()
                && (!request.protocolType().equals(protocolType)
                        || !ProtocolSelection.isCompatible(members.values(), request.protocols()))) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        return Errors.NONE;
    }

    private void joinNewMember(JoinRequest request, Consumer<JoinResult> reply) {
        String prefix = request.groupInstanceId() != null ? request.groupInstanceId() : request.clientId();
        String memberId = prefix + "-" + UUID.randomUUID();
        if (request.groupInstanceId() != null && staticMembers.containsKey(request.groupInstanceId())) {
            replaceStaticMember(memberId, request, reply);
        } else if (request.groupInstanceId() == null && request.requireKnownMemberId()) {
            if (isFull()) {
                queue(reply, JoinResult.failed(Errors.GROUP_MAX_SIZE_REACHED, memberId));
                return;
            }
            // KIP-394: the member gets its id first and must rejoin with it within its session timeout
            pendingMembers.put(memberId, clock.getAsLong() + request.sessionTimeoutMs());
            queue(reply, JoinResult.failed(Errors.MEMBER_ID_REQUIRED, memberId));
        } else {
            addMemberAndRebalance(memberId, request, reply);
        }
    }

    private void joinExistingMember(JoinRequest request, Consumer<JoinResult> reply) {
        String memberId = request.memberId();
        if (pendingMembers.containsKey(memberId)) {
            addMemberAndRebalance(memberId, request, reply);
            return;
        }
        Errors error = validateMember(memberId, request.groupInstanceId());
        if (error != Errors.NONE) {
            queue(reply, JoinResult.failed(error, memberId));
            return;
        }
        ClassicMember member = members.get(memberId);
        boolean sameProtocols = member.protocols.equals(request.protocols());
        if (state == GroupState.COMPLETING_REBALANCE && sameProtocols) {
            // the member missed the JoinGroup answer of this generation: send it again
            queue(reply, joinResultFor(member, false));
        } else if (state == GroupState.STABLE && sameProtocols && !memberId.equals(leaderId)) {
            queue(reply, joinResultFor(member, false));
        } else {
            member.update(request);
            member.awaitingJoin = reply;
            if (state == GroupState.PREPARING_REBALANCE) {
                maybeCompleteJoin();
            } else {
                prepareRebalance();
            }
        }
    }

    private void addMemberAndRebalance(String memberId, JoinRequest request, Consumer<JoinResult> reply) {
        pendingMembers.remove(memberId);
        if (isFull()) {
            queue(reply, JoinResult.failed(Errors.GROUP_MAX_SIZE_REACHED, memberId));
            return;
        }
        ClassicMember member = new ClassicMember(memberId, request.groupInstanceId(), request);
        member.isNew = true;
        member.heartbeatDeadlineMs = clock.getAsLong() + limits.newMemberJoinTimeoutMs();
        member.awaitingJoin = reply;
        if (members.isEmpty()) {
            protocolType = request.protocolType();
        }
        members.put(memberId, member);
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId, memberId);
        }
        if (leaderId == null) {
            leaderId = memberId;
        }
        if (state == GroupState.PREPARING_REBALANCE) {
            newMemberAdded |= initialJoin;
            maybeCompleteJoin();
        } else {
            prepareRebalance();
        }
    }

    /** KIP-345: a static member came back under a new member id; the old id is fenced. */
    private void replaceStaticMember(String newMemberId, JoinRequest request, Consumer<JoinResult> reply) {
        String oldMemberId = staticMembers.get(request.groupInstanceId());
        ClassicMember old = members.remove(oldMemberId);
        if (old.awaitingJoin != null) {
            queue(old.awaitingJoin, JoinResult.failed(Errors.FENCED_INSTANCE_ID, oldMemberId));
        }
        if (old.awaitingSync != null) {
            queue(old.awaitingSync, SyncResult.failed(Errors.FENCED_INSTANCE_ID));
        }
        ClassicMember member = old.replacedBy(newMemberId);
        boolean sameProtocols = member.protocols.equals(request.protocols());
        member.update(request);
        members.put(newMemberId, member);
        staticMembers.put(member.groupInstanceId, newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        if (pendingSync.remove(oldMemberId)) {
            pendingSync.add(newMemberId);
        }
        if (state == GroupState.STABLE && sameProtocols) {
            member.heartbeatDeadlineMs = clock.getAsLong() + member.sessionTimeoutMs;
            toStore = metadata();
            queue(reply, joinResultFor(member, newMemberId.equals(leaderId)));
        } else {
            member.awaitingJoin = reply;
            if (state == GroupState.PREPARING_REBALANCE) {
                maybeCompleteJoin();
            } else {
                prepareRebalance();
            }
        }
    }

    private JoinResult joinResultFor(ClassicMember member, boolean skipAssignment) {
        boolean isLeader = member.memberId.equals(leaderId);
        List<JoinedMember> listed = new ArrayList<>();
        if (isLeader) {
            for (ClassicMember m : members.values()) {
                listed.add(new JoinedMember(m.memberId, m.groupInstanceId, m.metadata(protocolName)));
            }
        }
        return new JoinResult(
                Errors.NONE,
                generationId,
                protocolType,
                protocolName,
                leaderId,
                skipAssignment,
                member.memberId,
                List.copyOf(listed));
    }

    // ---- rebalance phases

    private void prepareRebalance() {
        if (state == GroupState.COMPLETING_REBALANCE) {
            for (ClassicMember member : members.values()) {
                member.assignment = ClassicMember.NO_ASSIGNMENT;
                if (member.awaitingSync != null) {
                    queue(member.awaitingSync, SyncResult.failed(Errors.REBALANCE_IN_PROGRESS));
                    member.awaitingSync = null;
                }
            }
        }
        pendingSync.clear();
        syncDeadlineMs = NO_DEADLINE;
        long now = clock.getAsLong();
        long rebalanceTimeoutMs = rebalanceTimeoutMs();
        if (state == GroupState.EMPTY) {
            // Kafka's initial delayed join: wait for more members before the first generation
            initialJoin = true;
            newMemberAdded = false;
            long delay = Math.min(limits.initialRebalanceDelayMs(), rebalanceTimeoutMs);
            initialDelayRemainingMs = Math.max(rebalanceTimeoutMs - limits.initialRebalanceDelayMs(), 0);
            joinDeadlineMs = now + delay;
        } else {
            joinDeadlineMs = now + rebalanceTimeoutMs;
        }
        state = GroupState.PREPARING_REBALANCE;
        maybeCompleteJoin();
    }

    private void maybeCompleteJoin() {
        if (state == GroupState.PREPARING_REBALANCE && !initialJoin && hasAllMembersJoined()) {
            completeJoin();
        }
    }

    private boolean hasAllMembersJoined() {
        return pendingMembers.isEmpty() && members.values().stream().allMatch(ClassicMember::isAwaitingJoin);
    }

    private void completeJoin() {
        for (ClassicMember member : List.copyOf(members.values())) {
            if (!member.isAwaitingJoin()) {
                removeMember(member);
            }
        }
        initialJoin = false;
        joinDeadlineMs = NO_DEADLINE;
        if (leaderId == null && !members.isEmpty()) {
            leaderId = members.keySet().iterator().next();
        }
        generationId++;
        if (members.isEmpty()) {
            state = GroupState.EMPTY;
            protocolName = null;
            leaderId = null;
            toStore = metadata();
            return;
        }
        protocolName = ProtocolSelection.select(members.values());
        state = GroupState.COMPLETING_REBALANCE;
        long now = clock.getAsLong();
        pendingSync.addAll(members.keySet());
        syncDeadlineMs = now + rebalanceTimeoutMs();
        for (ClassicMember member : members.values()) {
            queue(member.awaitingJoin, joinResultFor(member, false));
            member.awaitingJoin = null;
            member.isNew = false;
            member.heartbeatDeadlineMs = now + member.sessionTimeoutMs;
        }
    }

    // ---- SyncGroup, Heartbeat, LeaveGroup

    public void sync(SyncRequest request, Consumer<SyncResult> reply) {
        Errors error = checkSync(request);
        if (error != Errors.NONE) {
            queue(reply, SyncResult.failed(error));
            return;
        }
        ClassicMember member = members.get(request.memberId());
        pendingSync.remove(member.memberId);
        if (state == GroupState.STABLE) {
            member.heartbeatDeadlineMs = clock.getAsLong() + member.sessionTimeoutMs;
            queue(reply, new SyncResult(Errors.NONE, protocolType, protocolName, member.assignment));
            return;
        }
        member.awaitingSync = reply;
        if (member.memberId.equals(leaderId)) {
            for (ClassicMember m : members.values()) {
                m.assignment = request.assignments().getOrDefault(m.memberId, ClassicMember.NO_ASSIGNMENT);
            }
            state = GroupState.STABLE;
            toStore = metadata();
            long now = clock.getAsLong();
            for (ClassicMember m : members.values()) {
                if (m.awaitingSync != null) {
                    queue(m.awaitingSync, new SyncResult(Errors.NONE, protocolType, protocolName, m.assignment));
                    m.awaitingSync = null;
                    m.heartbeatDeadlineMs = now + m.sessionTimeoutMs;
                }
            }
        }
    }

    private Errors checkSync(SyncRequest request) {
        if (state == GroupState.DEAD) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors error = validateMember(request.memberId(), request.groupInstanceId());
        if (error != Errors.NONE) {
            return error;
        }
        if (request.generationId() != generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        if ((request.protocolType() != null && !request.protocolType().equals(protocolType))
                || (request.protocolName() != null && !request.protocolName().equals(protocolName))) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        return state == GroupState.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }

    public Errors heartbeat(String memberId, String groupInstanceId, int generation) {
        if (state == GroupState.DEAD) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors error = validateMember(memberId, groupInstanceId);
        if (error != Errors.NONE) {
            return error;
        }
        if (generation != generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        ClassicMember member = members.get(memberId);
        member.heartbeatDeadlineMs = clock.getAsLong() + member.sessionTimeoutMs;
        return state == GroupState.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }

    public LeaveResult leave(List<LeavingMember> leaving) {
        if (state == GroupState.DEAD) {
            return new LeaveResult(Errors.COORDINATOR_NOT_AVAILABLE, List.of());
        }
        List<MemberLeft> results = new ArrayList<>();
        for (LeavingMember m : leaving) {
            results.add(new MemberLeft(m.memberId(), m.groupInstanceId(), leaveOne(m)));
        }
        return new LeaveResult(Errors.NONE, List.copyOf(results));
    }

    private Errors leaveOne(LeavingMember leaving) {
        String memberId = leaving.memberId();
        if (leaving.groupInstanceId() != null) {
            String current = staticMembers.get(leaving.groupInstanceId());
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!memberId.isEmpty() && !memberId.equals(current)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            memberId = current;
        } else if (pendingMembers.remove(memberId) != null) {
            maybeCompleteJoin();
            return Errors.NONE;
        }
        ClassicMember member = members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        removeMemberAndRebalance(member);
        return Errors.NONE;
    }

    // ---- offsets

    /**
     * Kafka's checks for a classic OffsetCommit: a commit with generation -1 on an empty group is a
     * simple (standalone) commit; otherwise the member and the generation must be current, and not
     * while the group is completing a rebalance. A valid member's session is refreshed.
     */
    public Errors validateOffsetCommit(String memberId, String groupInstanceId, int generation) {
        if (state == GroupState.DEAD) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generation < 0 && state == GroupState.EMPTY) {
            return Errors.NONE;
        }
        if (generation >= 0 || !memberId.isEmpty() || groupInstanceId != null) {
            Errors error = validateMember(memberId, groupInstanceId);
            if (error != Errors.NONE) {
                return error;
            }
            if (generation != generationId) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (state == GroupState.COMPLETING_REBALANCE) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        ClassicMember member = members.get(memberId);
        member.heartbeatDeadlineMs = clock.getAsLong() + member.sessionTimeoutMs;
        return Errors.NONE;
    }

    // ---- deadlines

    /** The earliest deadline (ms on the injected clock) at which {@link #onDeadline()} has work. */
    public long nextDeadlineMs() {
        long next = NO_DEADLINE;
        for (long deadline : pendingMembers.values()) {
            next = Math.min(next, deadline);
        }
        for (ClassicMember member : members.values()) {
            next = Math.min(next, member.heartbeatDeadlineMs);
        }
        if (state == GroupState.PREPARING_REBALANCE) {
            next = Math.min(next, joinDeadlineMs);
        }
        if (!pendingSync.isEmpty()) {
            next = Math.min(next, syncDeadlineMs);
        }
        return next;
    }

    public boolean hasDeadline() {
        return nextDeadlineMs() != NO_DEADLINE;
    }

    /** Expires what is due: pending and silent members, the join phase, members that did not sync. */
    public void onDeadline() {
        long now = clock.getAsLong();
        pendingMembers.values().removeIf(deadline -> deadline <= now);
        for (ClassicMember member : List.copyOf(members.values())) {
            if (member.heartbeatDeadlineMs <= now && members.containsKey(member.memberId)) {
                if (member.hasSatisfiedHeartbeat()) {
                    member.heartbeatDeadlineMs = now + member.sessionTimeoutMs;
                } else {
                    removeMemberAndRebalance(member);
                }
            }
        }
        if (state == GroupState.PREPARING_REBALANCE && joinDeadlineMs <= now) {
            onJoinDeadline(now);
        }
        if (!pendingSync.isEmpty() && syncDeadlineMs <= now) {
            for (String memberId : List.copyOf(pendingSync)) {
                ClassicMember member = members.get(memberId);
                if (member != null) {
                    removeMemberAndRebalance(member);
                }
            }
            pendingSync.clear();
        }
        maybeCompleteJoin();
    }

    private void onJoinDeadline(long now) {
        if (initialJoin && newMemberAdded && initialDelayRemainingMs > 0) {
            newMemberAdded = false;
            long delay = Math.min(limits.initialRebalanceDelayMs(), initialDelayRemainingMs);
            initialDelayRemainingMs = Math.max(initialDelayRemainingMs - limits.initialRebalanceDelayMs(), 0);
            joinDeadlineMs = now + delay;
        } else {
            completeJoin();
        }
    }

    // ---- members

    private Errors validateMember(String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String current = staticMembers.get(groupInstanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return current.equals(memberId) ? Errors.NONE : Errors.FENCED_INSTANCE_ID;
        }
        return members.containsKey(memberId) ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
    }

    private void removeMemberAndRebalance(ClassicMember member) {
        removeMember(member);
        if (state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE) {
            prepareRebalance();
        } else {
            maybeCompleteJoin();
        }
    }

    private void removeMember(ClassicMember member) {
        members.remove(member.memberId);
        if (member.isStatic() && member.memberId.equals(staticMembers.get(member.groupInstanceId))) {
            staticMembers.remove(member.groupInstanceId);
        }
        pendingSync.remove(member.memberId);
        if (member.awaitingJoin != null) {
            queue(member.awaitingJoin, JoinResult.failed(Errors.UNKNOWN_MEMBER_ID, member.memberId));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null) {
            queue(member.awaitingSync, SyncResult.failed(Errors.UNKNOWN_MEMBER_ID));
            member.awaitingSync = null;
        }
        if (member.memberId.equals(leaderId)) {
            leaderId = members.values().stream()
                    .filter(ClassicMember::isAwaitingJoin)
                    .map(m -> m.memberId)
                    .findFirst()
                    .orElse(
                            members.isEmpty()
                                    ? null
                                    : members.keySet().iterator().next());
        }
    }

    private boolean isFull() {
        return members.size() >= limits.maxSize();
    }

    private long rebalanceTimeoutMs() {
        return members.values().stream()
                .mapToLong(m -> m.rebalanceTimeoutMs)
                .max()
                .orElse(0);
    }

    // ---- views

    public GroupState state() {
        return state;
    }

    public int generationId() {
        return generationId;
    }

    public String protocolType() {
        return protocolType;
    }

    public String leaderId() {
        return leaderId;
    }

    public boolean hasMembers() {
        return !members.isEmpty();
    }

    /** Each member's metadata for the chosen protocol (the consumer protocol's subscriptions). */
    public List<byte[]> subscriptions() {
        return members.values().stream().map(m -> m.metadata(protocolName)).toList();
    }

    public GroupMetadata metadata() {
        List<MemberMetadata> stored =
                members.values().stream().map(m -> m.toMetadata(protocolName)).toList();
        return new GroupMetadata(generationId, protocolType, protocolName, leaderId, stored);
    }

    /** As DescribeGroups shows it: metadata and assignments only once the group is stable (Kafka). */
    public GroupDescription describe(boolean exists) {
        boolean stable = state == GroupState.STABLE;
        List<MemberDescription> described = members.values().stream()
                .map(m -> new MemberDescription(
                        m.memberId,
                        m.groupInstanceId,
                        m.clientId,
                        m.clientHost,
                        stable ? m.metadata(protocolName) : ClassicMember.NO_ASSIGNMENT,
                        stable ? m.assignment : ClassicMember.NO_ASSIGNMENT))
                .toList();
        return new GroupDescription(
                exists,
                exists ? state : GroupState.DEAD,
                protocolType == null ? "" : protocolType,
                stable ? protocolName : "",
                described);
    }

    /** The answers and metadata queued since the last call. */
    public Outcome drain() {
        Outcome outcome = new Outcome(toStore, List.copyOf(replies));
        replies.clear();
        toStore = null;
        return outcome;
    }

    private <T> void queue(Consumer<T> reply, T result) {
        replies.add(() -> reply.accept(result));
    }
}
