package io.varve.transport.api.group;

import io.varve.group.GroupCoordinators;
import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.txn.TransactionCoordinators;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
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
 * FindCoordinator, one key (v0–3) or a batch of keys (v4+). A group key is answered with the live
 * broker that hosts the group's shard ({@code GroupCoordinators.coordinatorNodeOf}; this node when
 * it answers for every group, as a single node does), a transaction key likewise with the broker
 * hosting the transactional id's shard ({@code TransactionCoordinators.coordinatorNodeOf}), or
 * COORDINATOR_NOT_AVAILABLE while that broker's endpoint is unknown or the node has no transaction
 * coordinators. Stateless.
 */
public final class FindCoordinatorHandler implements ApiHandler {
    private final GroupCoordinators coordinators;

    /** A handler that names this node for every group (a single node). */
    public FindCoordinatorHandler() {
        this(null);
    }

    public FindCoordinatorHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    private record Answer(Errors error, BrokerInfo node) {}

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        FindCoordinatorRequestData data = ((FindCoordinatorRequest) request).data();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (context.apiVersion() < 4) {
            Answer answer = answer(context, data.keyType(), data.key());
            response.setErrorCode(answer.error().code())
                    .setNodeId(answer.node() == null ? -1 : answer.node().nodeId())
                    .setHost(answer.node() == null ? "" : answer.node().host())
                    .setPort(answer.node() == null ? -1 : answer.node().port());
            return CompletableFuture.completedFuture(new ApiResponse(response));
        }
        List<FindCoordinatorResponseData.Coordinator> found = new ArrayList<>();
        for (String key : data.coordinatorKeys()) {
            Answer answer = answer(context, data.keyType(), key);
            found.add(new FindCoordinatorResponseData.Coordinator()
                    .setKey(key)
                    .setErrorCode(answer.error().code())
                    .setNodeId(answer.node() == null ? -1 : answer.node().nodeId())
                    .setHost(answer.node() == null ? "" : answer.node().host())
                    .setPort(answer.node() == null ? -1 : answer.node().port()));
        }
        return CompletableFuture.completedFuture(new ApiResponse(response.setCoordinators(found)));
    }

    private Answer answer(RequestContext context, byte keyType, String key) {
        OptionalInt node;
        if (keyType == CoordinatorType.TRANSACTION.id()) {
            TransactionCoordinators transactions = context.services().transactions();
            if (transactions == null) {
                return new Answer(Errors.COORDINATOR_NOT_AVAILABLE, null);
            }
            node = key == null ? OptionalInt.empty() : transactions.coordinatorNodeOf(key);
        } else if (keyType == CoordinatorType.GROUP.id()) {
            node = coordinators == null || key == null ? OptionalInt.empty() : coordinators.coordinatorNodeOf(key);
        } else {
            return new Answer(Errors.INVALID_REQUEST, null);
        }
        MetadataImage image = context.services().metadata().image();
        BrokerInfo broker = image.brokers().get(node.orElse(context.services().nodeId()));
        return broker == null ? new Answer(Errors.COORDINATOR_NOT_AVAILABLE, null) : new Answer(Errors.NONE, broker);
    }
}
