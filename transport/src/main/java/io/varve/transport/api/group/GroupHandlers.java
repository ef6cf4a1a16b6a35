package io.varve.transport.api.group;

import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiHandler;
import java.util.List;

/**
 * The consumer-group handlers (classic protocol and offsets), for the node's handler registry.
 * Every handler is stateless and reaches groups through {@link GroupCoordinators}.
 */
public final class GroupHandlers {
    private GroupHandlers() {}

    /** @param offsetMetadataMaxBytes {@code offset.metadata.max.bytes} */
    public static List<ApiHandler> list(GroupCoordinators coordinators, int offsetMetadataMaxBytes) {
        return List.of(
                new FindCoordinatorHandler(coordinators),
                new JoinGroupHandler(coordinators),
                new SyncGroupHandler(coordinators),
                new HeartbeatHandler(coordinators),
                new LeaveGroupHandler(coordinators),
                new OffsetCommitHandler(coordinators, offsetMetadataMaxBytes),
                new OffsetFetchHandler(coordinators),
                new OffsetDeleteHandler(coordinators),
                new ListGroupsHandler(coordinators),
                new DescribeGroupsHandler(coordinators),
                new DeleteGroupsHandler(coordinators));
    }
}
