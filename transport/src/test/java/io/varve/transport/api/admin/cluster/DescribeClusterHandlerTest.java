package io.varve.transport.api.admin.cluster;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.AuthorizedOperations;
import io.varve.transport.api.admin.AdminTestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DescribeClusterHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    private static DescribeClusterResponseData send(
            AdminTestContext ctx, short version, DescribeClusterRequestData data) {
        return body(handler()
                .handle(
                        ctx.context(ApiKeys.DESCRIBE_CLUSTER, version),
                        new DescribeClusterRequest.Builder(data).build(version)));
    }

    private static DescribeClusterHandler handler() {
        return new DescribeClusterHandler();
    }

    @Test
    void describesBrokersClusterIdAndController() {
        AdminTestContext ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .broker(2, "10.0.0.2", 9093, "rack-b")
                        .controllerId(2)
                        .build());
        DescribeClusterResponseData response = send(ctx, (short) 2, new DescribeClusterRequestData());

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.clusterId()).isEqualTo(AdminTestContext.CLUSTER_ID);
        assertThat(response.controllerId()).isEqualTo(2);
        assertThat(response.endpointType()).isEqualTo((byte) 1);
        assertThat(response.clusterAuthorizedOperations()).isEqualTo(Integer.MIN_VALUE);
        assertThat(response.brokers())
                .extracting(DescribeClusterBroker::brokerId)
                .containsExactly(1, 2);
        DescribeClusterBroker two = response.brokers().find(2);
        assertThat(two.host()).isEqualTo("10.0.0.2");
        assertThat(two.port()).isEqualTo(9093);
        assertThat(two.rack()).isEqualTo("rack-b");
        assertThat(two.isFenced()).isFalse();
        assertThat(response.brokers().find(1).rack()).isNull();
    }

    @Test
    void answersThisNodeAsControllerWhenTheControllerIsNoBroker() {
        AdminTestContext ctx = new AdminTestContext(
                KIT, AdminTestContext.image().controllerId(-1).build());
        assertThat(send(ctx, (short) 0, new DescribeClusterRequestData()).controllerId())
                .isEqualTo(AdminTestContext.NODE_ID);
    }

    @Test
    void reportsEveryClusterOperationWhenAsked() {
        AdminTestContext ctx =
                new AdminTestContext(KIT, AdminTestContext.image().build());
        DescribeClusterResponseData response =
                send(ctx, (short) 1, new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true));
        // CREATE(5), ALTER(7), DESCRIBE(8), CLUSTER_ACTION(9), DESCRIBE_CONFIGS(10), ALTER_CONFIGS(11),
        // IDEMPOTENT_WRITE(12)
        assertThat(response.clusterAuthorizedOperations()).isEqualTo(0b1_1111_1010_0000);
        assertThat(AuthorizedOperations.codes(AuthorizedOperations.CLUSTER))
                .contains(AclOperation.IDEMPOTENT_WRITE.code())
                .doesNotContain(AclOperation.READ.code());
    }

    @Test
    void refusesTheControllerEndpointType() {
        AdminTestContext ctx =
                new AdminTestContext(KIT, AdminTestContext.image().build());
        DescribeClusterResponseData response =
                send(ctx, (short) 1, new DescribeClusterRequestData().setEndpointType((byte) 2));
        assertThat(response.errorCode()).isEqualTo(Errors.MISMATCHED_ENDPOINT_TYPE.code());
        assertThat(response.brokers()).isEmpty();
    }
}
