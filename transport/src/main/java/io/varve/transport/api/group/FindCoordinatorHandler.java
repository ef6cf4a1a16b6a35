package io.varve.transport.api.group;

import io.varve.metadata.BrokerInfo;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

/**
 * FindCoordinator, one key (v0–3) or a batch of keys (v4+). Group and transaction keys are answered
 * with this node, which hosts every group's and transactional id's shard on a single-node cluster
 * (a request reaching another node is forwarded by sharding). Transaction keys need the node's
 * transaction coordinators. Stateless.
 */
public final class FindCoordinatorHandler implements ApiHandler {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        FindCoordinatorRequestData data = ((FindCoordinatorRequest) request).data();
        int nodeId = context.services().nodeId();
        BrokerInfo self = context.services().metadata().image().brokers().get(nodeId);
        Errors error = error(data.keyType(), self, context.services().transactions() != null);
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (context.apiVersion() < 4) {
            response.setErrorCode(error.code())
                    .setNodeId(error == Errors.NONE ? nodeId : -1)
                    .setHost(error == Errors.NONE ? self.host() : "")
                    .setPort(error == Errors.NONE ? self.port() : -1);
            return CompletableFuture.completedFuture(new ApiResponse(response));
        }
        List<FindCoordinatorResponseData.Coordinator> coordinators = new ArrayList<>();
        for (String key : data.coordinatorKeys()) {
            coordinators.add(new FindCoordinatorResponseData.Coordinator()
                    .setKey(key)
                    .setErrorCode(error.code())
                    .setNodeId(error == Errors.NONE ? nodeId : -1)
                    .setHost(error == Errors.NONE ? self.host() : "")
                    .setPort(error == Errors.NONE ? self.port() : -1));
        }
        return CompletableFuture.completedFuture(new ApiResponse(response.setCoordinators(coordinators)));
    }

    private static Errors error(byte keyType, BrokerInfo self, boolean transactions) {
        if (keyType == CoordinatorType.GROUP.id()) {
            return self == null ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.NONE;
        }
        if (keyType == CoordinatorType.TRANSACTION.id()) {
            return self == null || !transactions ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.NONE;
        }
        return Errors.INVALID_REQUEST;
    }
}
