package io.varve.group.classic;

import io.varve.metadata.VarveSerializable;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/** The answer to a LeaveGroup: a group-level error and one outcome per member named. */
public record LeaveResult(Errors error, List<MemberLeft> members) implements VarveSerializable {}
