package io.varve.transport.api.admin.cluster;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.utils.Utils;

/**
 * DescribeCluster: the brokers, cluster id and controller id of the metadata image. Only the broker
 * endpoint type is served (a request for controllers gets MISMATCHED_ENDPOINT_TYPE, as a Kafka broker
 * answers). Varve has no authorizer, so the authorized cluster operations, when asked for, are every
 * operation Kafka defines on the cluster resource.
 */
public final class DescribeClusterHandler implements ApiHandler {
    static final byte BROKER_ENDPOINT = 1;

    /** Kafka's operations on the CLUSTER resource; all allowed without an authorizer. */
    static final int CLUSTER_OPERATIONS = Utils.to32BitField(Stream.of(
                    AclOperation.CREATE,
                    AclOperation.CLUSTER_ACTION,
                    AclOperation.DESCRIBE_CONFIGS,
                    AclOperation.ALTER_CONFIGS,
                    AclOperation.IDEMPOTENT_WRITE,
                    AclOperation.ALTER,
                    AclOperation.DESCRIBE)
            .map(AclOperation::code)
            .collect(Collectors.toSet()));

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeClusterRequestData data = ((DescribeClusterRequest) request).data();
        DescribeClusterResponseData response = new DescribeClusterResponseData().setEndpointType(BROKER_ENDPOINT);
        if (context.apiVersion() >= 1 && data.endpointType() != BROKER_ENDPOINT) {
            return CompletableFuture.completedFuture(
                    new ApiResponse(response.setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code())
                            .setErrorMessage("The request was sent to an endpoint of type BROKER, but we wanted an "
                                    + "endpoint of type CONTROLLER")));
        }
        MetadataImage image = context.services().metadata().image();
        for (BrokerInfo broker : new TreeMap<>(image.brokers()).values()) {
            response.brokers()
                    .add(new DescribeClusterBroker()
                            .setBrokerId(broker.nodeId())
                            .setHost(broker.host())
                            .setPort(broker.port())
                            .setRack(broker.rack())
                            .setIsFenced(false));
        }
        // Clients cannot reach the controller itself (a Pekko singleton), so like a KRaft broker we
        // name a live broker: the controller's node when it is one, else this node.
        int controllerId = image.brokers().containsKey(image.controllerId())
                ? image.controllerId()
                : context.services().nodeId();
        return CompletableFuture.completedFuture(new ApiResponse(response.setErrorCode(Errors.NONE.code())
                .setClusterId(image.clusterId())
                .setControllerId(controllerId)
                .setClusterAuthorizedOperations(
                        data.includeClusterAuthorizedOperations() ? CLUSTER_OPERATIONS : Integer.MIN_VALUE)));
    }

    static Set<Byte> operations() {
        return Utils.from32BitField(CLUSTER_OPERATIONS);
    }
}
