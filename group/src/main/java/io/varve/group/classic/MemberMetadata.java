package io.varve.group.classic;

/**
 * A member as persisted with its group's generation (Kafka's group metadata record): enough to
 * restore it after a restart with a fresh session deadline.
 *
 * @param subscription the member's metadata for the group's chosen protocol
 */
public record MemberMetadata(
        String memberId,
        String groupInstanceId,
        String clientId,
        String clientHost,
        int sessionTimeoutMs,
        int rebalanceTimeoutMs,
        byte[] subscription,
        byte[] assignment) {}
