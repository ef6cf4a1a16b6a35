package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterResponse;

/**
 * DescribeCluster v0+: the one broker, cluster id, controller id and (when asked) the cluster's
 * authorized operations; from v1 a request for the controller endpoint type is
 * MISMATCHED_ENDPOINT_TYPE; from v2 fenced brokers may be asked for (none is fenced).
 */
final class DescribeClusterSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        DescribeClusterRequestData request =
                new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true);
        if (version >= 2) {
            request.setIncludeFencedBrokers(true);
        }
        DescribeClusterResponse answer = describe(sweep, version, request);
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        assertThat(answer.data().clusterId()).isNotBlank();
        assertThat(answer.data().controllerId()).isEqualTo(sweep.nodeId());
        assertThat(answer.data().clusterAuthorizedOperations()).isEqualTo(MetadataSweep.CLUSTER_OPERATIONS);
        assertThat(answer.data().brokers()).hasSize(1);
        DescribeClusterBroker broker = answer.data().brokers().iterator().next();
        assertThat(broker.brokerId()).isEqualTo(sweep.nodeId());
        assertThat(broker.host() + ":" + broker.port()).isEqualTo(sweep.bootstrapServers());
        assertThat(broker.isFenced()).isFalse();

        assertThat(describe(sweep, version, new DescribeClusterRequestData())
                        .data()
                        .clusterAuthorizedOperations())
                .isEqualTo(Integer.MIN_VALUE);
        if (version >= 1) {
            DescribeClusterResponse controllers =
                    describe(sweep, version, new DescribeClusterRequestData().setEndpointType((byte) 2));
            assertThat(Errors.forCode(controllers.data().errorCode())).isEqualTo(Errors.MISMATCHED_ENDPOINT_TYPE);
        }
    }

    private static DescribeClusterResponse describe(
            SweepContext sweep, short version, DescribeClusterRequestData request) throws Exception {
        return sweep.client().send(ApiKeys.DESCRIBE_CLUSTER, version, request);
    }
}
