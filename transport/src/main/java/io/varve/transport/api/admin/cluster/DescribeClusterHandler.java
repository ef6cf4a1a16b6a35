package io.varve.transport.api.admin.cluster;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.AuthorizedOperations;
import io.varve.transport.api.RequestContext;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/**
 * DescribeCluster: the brokers, cluster id and controller id of the metadata image. Only the broker
 * endpoint type is served (a request for controllers gets MISMATCHED_ENDPOINT_TYPE, as a Kafka broker
 * answers). Varve has no authorizer, so the authorized cluster operations, when asked for, are every
 * operation Kafka defines on the cluster resource.
 */
public final class DescribeClusterHandler implements ApiHandler {
    static final byte BROKER_ENDPOINT = 1;

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
                .setClusterAuthorizedOperations(AuthorizedOperations.ifRequested(
                        data.includeClusterAuthorizedOperations(), AuthorizedOperations.CLUSTER))));
    }
}
