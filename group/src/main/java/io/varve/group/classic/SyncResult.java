package io.varve.group.classic;

import io.varve.metadata.VarveSerializable;
import org.apache.kafka.common.protocol.Errors;

/** The answer to a SyncGroup: the member's assignment in the current generation. */
public record SyncResult(Errors error, String protocolType, String protocolName, byte[] assignment)
        implements VarveSerializable {
    static SyncResult failed(Errors error) {
        return new SyncResult(error, null, null, new byte[0]);
    }
}
