package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;

/**
 * FindCoordinator: one group key (v0, key type from v1) answered with this node in the top-level
 * fields up to v3, a batch of keys from v4; a transactional id (key type 1, v1+) is this node too; a share-group key below v6 is INVALID_REQUEST (Kafka's
 * check), answered as an error with no node.
 */
final class FindCoordinatorSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String group = name("coordinator", version);
        String[] hostPort = sweep.bootstrapServers().split(":");
        if (version < 4) {
            FindCoordinatorResponse answer = find(sweep, version, new FindCoordinatorRequestData().setKey(group));
            assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(answer.data().nodeId()).isEqualTo(sweep.nodeId());
            assertThat(answer.data().host()).isEqualTo(hostPort[0]);
            assertThat(answer.data().port()).isEqualTo(Integer.parseInt(hostPort[1]));
            if (version >= 1) {
                FindCoordinatorResponse transaction = find(
                        sweep,
                        version,
                        new FindCoordinatorRequestData()
                                .setKey(group + "-txn")
                                .setKeyType(CoordinatorType.TRANSACTION.id()));
                assertThat(Errors.forCode(transaction.data().errorCode())).isEqualTo(Errors.NONE);
                assertThat(transaction.data().nodeId()).isEqualTo(sweep.nodeId());
                FindCoordinatorResponse share = find(
                        sweep,
                        version,
                        new FindCoordinatorRequestData().setKey(group).setKeyType(CoordinatorType.SHARE.id()));
                assertThat(Errors.forCode(share.data().errorCode())).isEqualTo(Errors.INVALID_REQUEST);
                assertThat(share.data().nodeId()).isEqualTo(-1);
            }
            return;
        }
        FindCoordinatorResponse answer = find(
                sweep,
                version,
                new FindCoordinatorRequestData()
                        .setKeyType(CoordinatorType.GROUP.id())
                        .setCoordinatorKeys(List.of(group, group + "-b")));
        assertThat(answer.data().coordinators()).extracting(Coordinator::key).containsExactly(group, group + "-b");
        for (Coordinator coordinator : answer.data().coordinators()) {
            assertThat(Errors.forCode(coordinator.errorCode())).isEqualTo(Errors.NONE);
            assertThat(coordinator.nodeId()).isEqualTo(sweep.nodeId());
            assertThat(coordinator.host() + ":" + coordinator.port()).isEqualTo(sweep.bootstrapServers());
        }
        FindCoordinatorResponse transaction = find(
                sweep,
                version,
                new FindCoordinatorRequestData()
                        .setKeyType(CoordinatorType.TRANSACTION.id())
                        .setCoordinatorKeys(List.of(group + "-txn")));
        Coordinator txnCoordinator = transaction.data().coordinators().get(0);
        assertThat(Errors.forCode(txnCoordinator.errorCode())).isEqualTo(Errors.NONE);
        assertThat(txnCoordinator.nodeId()).isEqualTo(sweep.nodeId());
        if (version < 6) {
            FindCoordinatorResponse share = find(
                    sweep,
                    version,
                    new FindCoordinatorRequestData()
                            .setKeyType(CoordinatorType.SHARE.id())
                            .setCoordinatorKeys(List.of(group)));
            assertThat(Errors.forCode(share.data().coordinators().get(0).errorCode()))
                    .isEqualTo(Errors.INVALID_REQUEST);
        }
    }

    private static FindCoordinatorResponse find(SweepContext sweep, short version, FindCoordinatorRequestData request)
            throws Exception {
        return sweep.client().send(ApiKeys.FIND_COORDINATOR, version, request);
    }
}
