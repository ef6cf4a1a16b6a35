package io.varve.transport.api.produce;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.internal.Ask;
import io.varve.txn.pid.ProducerIdManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId for idempotent producers: a fresh producer id from the node's {@link
 * ProducerIdManager}, epoch 0. Transactional producers (a transactional id) get
 * COORDINATOR_NOT_AVAILABLE until the transaction coordinator exists. When the manager does not
 * answer in time (it is waiting for a block from the controller) the answer is
 * COORDINATOR_LOAD_IN_PROGRESS, which producers retry. Stateless.
 */
public final class InitProducerIdHandler implements ApiHandler {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        InitProducerIdRequest init = (InitProducerIdRequest) request;
        if (init.data().transactionalId() != null) {
            return CompletableFuture.completedFuture(failed(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        BrokerServices services = context.services();
        CompletionStage<ProducerIdManager.GeneratedProducerId> generated = Ask.ask(
                services.producerIds(),
                ProducerIdManager.GenerateProducerId::new,
                services.settings().askTimeout(),
                services.scheduler());
        return generated.handle((answer, failure) -> {
            if (failure != null) {
                return failed(Errors.COORDINATOR_LOAD_IN_PROGRESS);
            }
            if (answer.error() != Errors.NONE) {
                return failed(answer.error());
            }
            return new ApiResponse(new InitProducerIdResponseData()
                    .setErrorCode(Errors.NONE.code())
                    .setProducerId(answer.producerId())
                    .setProducerEpoch((short) 0));
        });
    }

    private static ApiResponse failed(Errors error) {
        return new ApiResponse(new InitProducerIdResponseData()
                .setErrorCode(error.code())
                .setProducerId(-1L)
                .setProducerEpoch((short) -1));
    }
}
