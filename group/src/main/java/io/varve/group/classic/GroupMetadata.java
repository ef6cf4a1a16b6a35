package io.varve.group.classic;

import java.util.List;

/**
 * What survives a restart of a group besides its offsets: the generation, the protocol chosen in
 * it, its leader and its members with their assignments. Stored when a generation becomes stable
 * and when the group becomes empty.
 *
 * @param protocolType null when the group never had a member
 * @param protocolName null when the group is empty
 * @param leaderId null when the group is empty
 */
public record GroupMetadata(
        int generationId, String protocolType, String protocolName, String leaderId, List<MemberMetadata> members) {

    public static final GroupMetadata NONE = new GroupMetadata(0, null, null, null, List.of());
}
