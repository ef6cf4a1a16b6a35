package io.varve.group.classic;

import java.util.List;

/**
 * A JoinGroup as the coordinator sees it.
 *
 * @param memberId "" on a member's first join
 * @param groupInstanceId the static member's instance id (KIP-345), or null
 * @param requireKnownMemberId JoinGroup v4+: a first join is answered MEMBER_ID_REQUIRED
 */
public record JoinRequest(
        String memberId,
        String groupInstanceId,
        String clientId,
        String clientHost,
        int sessionTimeoutMs,
        int rebalanceTimeoutMs,
        String protocolType,
        List<Protocol> protocols,
        boolean requireKnownMemberId) {}
