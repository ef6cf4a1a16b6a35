package io.varve.transport.api.txn;

import io.varve.metadata.MetadataImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * AddPartitionsToTxn: v0–3 from a producer (one transaction, transaction version 1), v4+ batched
 * by transaction as partition leaders send it, adding (transaction version 2) or only verifying
 * ({@code verifyOnly}, KIP-890 part 1). As in Kafka, partitions of unknown topics are
 * UNKNOWN_TOPIC_OR_PARTITION and the others of that transaction OPERATION_NOT_ATTEMPTED; otherwise
 * the coordinator's answer per partition. An unanswered coordinator is COORDINATOR_NOT_AVAILABLE.
 * Stateless.
 */
public final class AddPartitionsToTxnHandler implements ApiHandler {
    private static final short FIRST_BATCHED_VERSION = 4;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_PARTITIONS_TO_TXN;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        AddPartitionsToTxnRequest add = (AddPartitionsToTxnRequest) request;
        boolean batched = context.apiVersion() >= FIRST_BATCHED_VERSION;
        AddPartitionsToTxnRequest normalized = batched ? add : add.normalizeRequest();
        List<CompletableFuture<AddPartitionsToTxnResult>> results = new ArrayList<>();
        for (AddPartitionsToTxnTransaction transaction : normalized.data().transactions()) {
            results.add(onTransaction(context, transaction, batched));
        }
        return CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> response(batched, results));
    }

    private CompletableFuture<AddPartitionsToTxnResult> onTransaction(
            RequestContext context, AddPartitionsToTxnTransaction transaction, boolean batched) {
        String id = transaction.transactionalId();
        List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(transaction.topics());
        if (id == null || id.isEmpty()) {
            return done(id, partitions, Errors.INVALID_REQUEST);
        }
        if (!TxnAsk.available(context)) {
            return done(id, partitions, Errors.COORDINATOR_NOT_AVAILABLE);
        }
        Map<TopicPartition, Errors> unknown =
                unknownTopics(context.services().metadata().image(), partitions);
        if (!unknown.isEmpty()) {
            Map<TopicPartition, Errors> errors = new HashMap<>();
            partitions.forEach(tp -> errors.put(tp, unknown.getOrDefault(tp, Errors.OPERATION_NOT_ATTEMPTED)));
            return CompletableFuture.completedFuture(AddPartitionsToTxnResponse.resultForTransaction(id, errors));
        }
        boolean verifyOnly = batched && transaction.verifyOnly();
        // broker-sent adds (v4+) are transaction version 2's implicit adds, as Kafka counts them
        short transactionVersion = batched ? (short) 2 : (short) 0;
        CompletableFuture<TransactionCoordinator.PartitionErrors> answer = TxnAsk.askAsCoordinator(
                context,
                id,
                replyTo -> verifyOnly
                        ? new TransactionCoordinator.VerifyPartitions(
                                transaction.producerId(), transaction.producerEpoch(), partitions, replyTo)
                        : new TransactionCoordinator.AddPartitions(
                                transaction.producerId(),
                                transaction.producerEpoch(),
                                partitions,
                                transactionVersion,
                                replyTo));
        return answer.handle((errors, failure) -> failure != null
                ? AddPartitionsToTxnResponse.resultForTransaction(id, sameError(partitions, TxnAsk.error(failure)))
                : AddPartitionsToTxnResponse.resultForTransaction(
                        id, forVersion(errors.errors(), context.apiVersion())));
    }

    /** PRODUCER_FENCED is INVALID_PRODUCER_EPOCH for v0–1 producers, as Kafka answers them. */
    private static Map<TopicPartition, Errors> forVersion(Map<TopicPartition, Errors> errors, short version) {
        Map<TopicPartition, Errors> mapped = new HashMap<>();
        errors.forEach((tp, error) -> mapped.put(tp, FencedError.forVersion(error, version, 2)));
        return mapped;
    }

    private static Map<TopicPartition, Errors> unknownTopics(MetadataImage image, List<TopicPartition> partitions) {
        Map<TopicPartition, Errors> unknown = new HashMap<>();
        for (TopicPartition tp : partitions) {
            if (image.partition(tp).isEmpty()) {
                unknown.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
        return unknown;
    }

    private static CompletableFuture<AddPartitionsToTxnResult> done(
            String id, List<TopicPartition> partitions, Errors error) {
        return CompletableFuture.completedFuture(
                AddPartitionsToTxnResponse.resultForTransaction(id, sameError(partitions, error)));
    }

    private static Map<TopicPartition, Errors> sameError(List<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        partitions.forEach(tp -> errors.put(tp, error));
        return errors;
    }

    private static ApiResponse response(boolean batched, List<CompletableFuture<AddPartitionsToTxnResult>> results) {
        AddPartitionsToTxnResponseData data = new AddPartitionsToTxnResponseData();
        if (!batched) {
            return new ApiResponse(
                    data.setResultsByTopicV3AndBelow(results.get(0).join().topicResults()));
        }
        AddPartitionsToTxnResultCollection collection = new AddPartitionsToTxnResultCollection();
        results.forEach(result -> collection.add(result.join()));
        return new ApiResponse(data.setErrorCode(Errors.NONE.code()).setResultsByTransaction(collection));
    }
}
