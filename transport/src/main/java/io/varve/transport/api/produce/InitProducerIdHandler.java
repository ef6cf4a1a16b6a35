package io.varve.transport.api.produce;

import io.varve.metadata.Ask;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.txn.FencedError;
import io.varve.transport.api.txn.TxnAsk;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.pid.ProducerIdManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId. Idempotent producers get a fresh producer id from the node's {@link
 * ProducerIdManager}, epoch 0; when the manager does not answer in time (it is waiting for a block
 * from the controller) the answer is COORDINATOR_LOAD_IN_PROGRESS, which producers retry.
 * Transactional producers go to their transactional id's coordinator (producer id, epoch bump,
 * fencing, KIP-360's expected producer id and epoch from v3); an empty id is INVALID_REQUEST, KIP-939's
 * two-phase commit (v6) is not offered (TRANSACTIONAL_ID_AUTHORIZATION_FAILED, or UNSUPPORTED_VERSION
 * for keepPreparedTxn, as Kafka answers with it disabled). Stateless.
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
            return transactional(context, init.data());
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

    private static CompletionStage<ApiResponse> transactional(RequestContext context, InitProducerIdRequestData data) {
        BrokerServices services = context.services();
        String transactionalId = data.transactionalId();
        Errors refused = transactionalId.isEmpty()
                ? Errors.INVALID_REQUEST
                : data.enable2Pc()
                        ? Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
                        : data.keepPreparedTxn()
                                ? Errors.UNSUPPORTED_VERSION
                                : services.transactions() == null ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.NONE;
        if (refused != Errors.NONE) {
            return CompletableFuture.completedFuture(failed(refused));
        }
        CompletionStage<TransactionCoordinator.ProducerIdAndEpoch> answer = TxnAsk.askAsCoordinator(
                context,
                transactionalId,
                replyTo -> new TransactionCoordinator.InitProducerId(
                        data.transactionTimeoutMs(), data.producerId(), data.producerEpoch(), replyTo));
        return answer.handle((ids, failure) -> {
            if (failure != null) {
                return failed(TxnAsk.error(failure));
            }
            return new ApiResponse(new InitProducerIdResponseData()
                    .setErrorCode(FencedError.forVersion(ids.error(), context.apiVersion(), 4)
                            .code())
                    .setProducerId(ids.producerId())
                    .setProducerEpoch(ids.producerEpoch()));
        });
    }

    private static ApiResponse failed(Errors error) {
        return new ApiResponse(new InitProducerIdResponseData()
                .setErrorCode(error.code())
                .setProducerId(-1L)
                .setProducerEpoch((short) -1));
    }
}
