package io.varve.transport.api.txn;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.txn.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;

/**
 * AddOffsetsToTxn (transaction version 1's {@code sendOffsetsToTransaction}): the consumer group's
 * offsets join the producer's transaction, so the coordinator ends them with the transaction (Kafka
 * adds the group's {@code __consumer_offsets} partition). The coordinator's error as is. Stateless.
 */
public final class AddOffsetsToTxnHandler implements ApiHandler {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        AddOffsetsToTxnRequestData data = ((AddOffsetsToTxnRequest) request).data();
        if (data.transactionalId() == null || data.transactionalId().isEmpty() || data.groupId() == null) {
            return CompletableFuture.completedFuture(answer(Errors.INVALID_REQUEST));
        }
        if (!TxnAsk.available(context)) {
            return CompletableFuture.completedFuture(answer(Errors.COORDINATOR_NOT_AVAILABLE));
        }
        return TxnAsk.<TransactionCoordinator.ErrorResult>askAsCoordinator(
                        context,
                        data.transactionalId(),
                        replyTo -> new TransactionCoordinator.AddOffsets(
                                data.producerId(), data.producerEpoch(), data.groupId(), false, (short) 0, replyTo))
                .handle((result, failure) -> answer(
                        failure != null
                                ? TxnAsk.error(failure)
                                : FencedError.forVersion(result.error(), context.apiVersion(), 2)));
    }

    private static ApiResponse answer(Errors error) {
        return new ApiResponse(new AddOffsetsToTxnResponseData().setErrorCode(error.code()));
    }
}
