package io.varve.group.classic;

import io.varve.metadata.VarveSerializable;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * The answer to a JoinGroup. The leader gets every member with its metadata for the chosen
 * protocol; followers get none. {@code skipAssignment} is set for a static leader that rejoined
 * without a rebalance: it must not compute a new assignment (JoinGroup v9).
 */
public record JoinResult(
        Errors error,
        int generationId,
        String protocolType,
        String protocolName,
        String leaderId,
        boolean skipAssignment,
        String memberId,
        List<JoinedMember> members)
        implements VarveSerializable {

    static JoinResult failed(Errors error, String memberId) {
        return new JoinResult(error, -1, null, null, "", false, memberId, List.of());
    }
}
