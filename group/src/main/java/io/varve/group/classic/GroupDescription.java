package io.varve.group.classic;

import io.varve.metadata.VarveSerializable;
import java.util.List;

/**
 * A group as DescribeGroups and ListGroups show it.
 *
 * @param exists false for a group that has neither members, a generation nor committed offsets
 * @param protocolType "" when the group never had a member
 * @param protocolName "" unless the group is stable or completing a rebalance
 */
public record GroupDescription(
        boolean exists, GroupState state, String protocolType, String protocolName, List<MemberDescription> members)
        implements VarveSerializable {}
