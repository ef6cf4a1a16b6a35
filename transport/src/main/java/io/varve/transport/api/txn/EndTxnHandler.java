package io.varve.transport.api.txn;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.txn.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.EndTxnRequest;

/**
 * EndTxn: commit or abort. v5 is transaction version 2 (KIP-890): the coordinator bumps the epoch
 * and the answer carries the producer id and epoch for the next transaction; older versions have
 * no such fields. Answered once the decision is persisted; the markers follow. Stateless.
 */
public final class EndTxnHandler implements ApiHandler {
    private static final short FIRST_EPOCH_BUMP_VERSION = 5;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.END_TXN;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        EndTxnRequestData data = ((EndTxnRequest) request).data();
        boolean v2 = context.apiVersion() >= FIRST_EPOCH_BUMP_VERSION;
        if (data.transactionalId() == null || data.transactionalId().isEmpty()) {
            return CompletableFuture.completedFuture(answer(v2, Errors.INVALID_REQUEST, -1L, (short) -1));
        }
        if (!TxnAsk.available(context)) {
            return CompletableFuture.completedFuture(answer(v2, Errors.COORDINATOR_NOT_AVAILABLE, -1L, (short) -1));
        }
        return TxnAsk.<TransactionCoordinator.ProducerIdAndEpoch>askAsCoordinator(
                        context,
                        data.transactionalId(),
                        replyTo -> new TransactionCoordinator.EndTxn(
                                data.producerId(),
                                data.producerEpoch(),
                                data.committed(),
                                (short) (v2 ? 2 : 0),
                                replyTo))
                .handle((ids, failure) -> failure != null
                        ? answer(v2, TxnAsk.error(failure), -1L, (short) -1)
                        : answer(
                                v2,
                                FencedError.forVersion(ids.error(), context.apiVersion(), 2),
                                ids.producerId(),
                                ids.producerEpoch()));
    }

    private static ApiResponse answer(boolean v2, Errors error, long producerId, short producerEpoch) {
        EndTxnResponseData data = new EndTxnResponseData().setErrorCode(error.code());
        if (v2) {
            // fields of v5 only: earlier versions must keep the defaults
            data.setProducerId(producerId).setProducerEpoch(producerEpoch);
        }
        return new ApiResponse(data);
    }
}
