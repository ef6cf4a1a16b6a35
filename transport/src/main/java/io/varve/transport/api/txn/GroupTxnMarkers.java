package io.varve.transport.api.txn;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.metadata.Ask;
import io.varve.txn.markers.GroupMarkerWriter;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Transaction markers for consumer groups: the group coordinator commits or drops the offsets the
 * producer's transaction staged ({@code GroupCoordinator.CompleteTxnOffsets}). Lives in transport,
 * the first module that sees both txn and group; the node hands it to the coordinators. An unanswered group coordinator is
 * COORDINATOR_NOT_AVAILABLE, which the transaction coordinator retries. Thread-safe.
 */
public final class GroupTxnMarkers implements GroupMarkerWriter {
    private final GroupCoordinators groups;
    private final Scheduler scheduler;
    private final Duration timeout;

    public GroupTxnMarkers(GroupCoordinators groups, Scheduler scheduler, Duration timeout) {
        this.groups = groups;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<Errors> writeMarker(String groupId, long producerId, short producerEpoch, boolean commit) {
        return Ask.<GroupCoordinator.Command, GroupCoordinator.ErrorResult>ask(
                        groups.coordinator(groupId),
                        replyTo -> new GroupCoordinator.CompleteTxnOffsets(producerId, producerEpoch, commit, replyTo),
                        timeout,
                        scheduler)
                .handle((result, failure) -> failure != null ? Errors.COORDINATOR_NOT_AVAILABLE : result.error());
    }
}
