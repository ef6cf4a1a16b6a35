package io.varve.group.classic;

import java.util.Map;

/**
 * A SyncGroup: the leader sends the assignment of every member, followers send none.
 *
 * @param protocolType null when the client did not send it (SyncGroup before v5)
 * @param protocolName null when the client did not send it
 */
public record SyncRequest(
        String memberId,
        String groupInstanceId,
        int generationId,
        String protocolType,
        String protocolName,
        Map<String, byte[]> assignments) {}
