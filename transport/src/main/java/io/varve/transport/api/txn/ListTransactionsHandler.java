package io.varve.transport.api.txn;

import io.varve.metadata.Ask;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.txn.TransactionRegistry;
import io.varve.txn.TransactionState;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;

/**
 * ListTransactions (v0; v1 adds the duration filter, KIP-994; v2 the id pattern, KIP-1152): the
 * transactional ids this node coordinates, from its {@link TransactionRegistry}. State filters Kafka
 * does not know are echoed in {@code unknownStateFilters}; an invalid pattern is
 * INVALID_REGULAR_EXPRESSION. Stateless.
 */
public final class ListTransactionsHandler implements ApiHandler {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_TRANSACTIONS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        ListTransactionsRequestData data = ((ListTransactionsRequest) request).data();
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        Set<String> states = new HashSet<>();
        for (String state : data.stateFilters()) {
            if (TransactionState.fromKafkaName(state).isPresent()) {
                states.add(state);
            } else {
                response.unknownStateFilters().add(state);
            }
        }
        if (!TxnAsk.available(context)) {
            return CompletableFuture.completedFuture(
                    new ApiResponse(response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())));
        }
        if (!data.stateFilters().isEmpty() && states.isEmpty()) {
            return CompletableFuture.completedFuture(new ApiResponse(response)); // only unknown states: none match
        }
        long duration = context.apiVersion() >= 1 ? data.durationFilter() : -1L;
        String pattern = context.apiVersion() >= 2 ? data.transactionalIdPattern() : null;
        Set<Long> producerIds = Set.copyOf(data.producerIdFilters());
        return Ask.<TransactionRegistry.Command, TransactionRegistry.Listing>ask(
                        context.services().transactions().registry(),
                        replyTo -> new TransactionRegistry.ListTransactions(
                                states, producerIds, duration, pattern, replyTo),
                        context.services().settings().askTimeout(),
                        context.services().scheduler())
                .handle((listing, failure) -> {
                    if (failure != null) {
                        return new ApiResponse(response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
                    }
                    response.setErrorCode(listing.error().code());
                    transactions(listing.transactions(), response);
                    return new ApiResponse(response);
                });
    }

    private static void transactions(
            List<TransactionRegistry.TransactionListing> listings, ListTransactionsResponseData response) {
        for (TransactionRegistry.TransactionListing listing : listings) {
            response.transactionStates()
                    .add(new ListTransactionsResponseData.TransactionState()
                            .setTransactionalId(listing.transactionalId())
                            .setProducerId(listing.producerId())
                            .setTransactionState(listing.state()));
        }
    }
}
