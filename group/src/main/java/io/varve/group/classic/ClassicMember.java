package io.varve.group.classic;

import java.util.List;
import java.util.function.Consumer;

/**
 * One member of a classic group: what it joined with, its assignment, the JoinGroup or SyncGroup
 * it is waiting on, and its heartbeat deadline. Mutable; confined to its {@link ClassicGroup}.
 */
final class ClassicMember {
    static final byte[] NO_ASSIGNMENT = new byte[0];

    final String memberId;
    final String groupInstanceId;
    String clientId;
    String clientHost;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    List<Protocol> protocols;
    byte[] assignment = NO_ASSIGNMENT;
    /** Set until the member's first join completes; a new member may expire while awaiting join. */
    boolean isNew;

    Consumer<JoinResult> awaitingJoin;
    Consumer<SyncResult> awaitingSync;
    long heartbeatDeadlineMs;

    ClassicMember(String memberId, String groupInstanceId, JoinRequest request) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        update(request);
    }

    /** A member with the same settings, metadata and assignment under a new member id (KIP-345). */
    ClassicMember replacedBy(String newMemberId) {
        ClassicMember copy = new ClassicMember(
                newMemberId,
                groupInstanceId,
                new JoinRequest(
                        newMemberId,
                        groupInstanceId,
                        clientId,
                        clientHost,
                        sessionTimeoutMs,
                        rebalanceTimeoutMs,
                        "",
                        protocols,
                        false));
        copy.assignment = assignment;
        copy.heartbeatDeadlineMs = heartbeatDeadlineMs;
        return copy;
    }

    void update(JoinRequest request) {
        clientId = request.clientId();
        clientHost = request.clientHost();
        sessionTimeoutMs = request.sessionTimeoutMs();
        rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        protocols = List.copyOf(request.protocols());
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    /** Kafka's rule: members awaiting a JoinGroup or SyncGroup answer need no heartbeat. */
    boolean hasSatisfiedHeartbeat() {
        return !isNew && (isAwaitingJoin() || isAwaitingSync());
    }

    byte[] metadata(String protocolName) {
        for (Protocol protocol : protocols) {
            if (protocol.name().equals(protocolName)) {
                return protocol.metadata();
            }
        }
        return NO_ASSIGNMENT;
    }

    boolean supports(String protocolName) {
        return protocols.stream().anyMatch(p -> p.name().equals(protocolName));
    }

    MemberMetadata toMetadata(String protocolName) {
        return new MemberMetadata(
                memberId,
                groupInstanceId,
                clientId,
                clientHost,
                sessionTimeoutMs,
                rebalanceTimeoutMs,
                metadata(protocolName),
                assignment);
    }

    static ClassicMember restore(MemberMetadata stored, String protocolName) {
        ClassicMember member = new ClassicMember(
                stored.memberId(),
                stored.groupInstanceId(),
                new JoinRequest(
                        stored.memberId(),
                        stored.groupInstanceId(),
                        stored.clientId(),
                        stored.clientHost(),
                        stored.sessionTimeoutMs(),
                        stored.rebalanceTimeoutMs(),
                        "",
                        List.of(new Protocol(protocolName, stored.subscription())),
                        false));
        member.assignment = stored.assignment();
        return member;
    }
}
