package io.varve.transport.api.txn;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.metadata.Ask;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.group.OffsetCommitValidation;
import io.varve.txn.TransactionCoordinator;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;

/**
 * TxnOffsetCommit (v0–5, by topic name): offsets committed inside a transaction. First the
 * transaction coordinator confirms the group is in the producer's transaction (KIP-890 part 1, v4;
 * before v4 too, with the error old clients know) or, from v5 (transaction version 2), adds it; then
 * the group coordinator stages the offsets until the transaction's marker. Partitions of unknown
 * topics are UNKNOWN_TOPIC_OR_PARTITION and too-long metadata OFFSET_METADATA_TOO_LARGE (checked
 * first, by {@link OffsetCommitValidation}, and never staged); the rest share the coordinators'
 * error. An unreachable transaction coordinator is COORDINATOR_LOAD_IN_PROGRESS (retried), an
 * unreachable group coordinator COORDINATOR_NOT_AVAILABLE.
 * Stateless.
 */
public final class TxnOffsetCommitHandler implements ApiHandler {
    private static final short FIRST_ADD_VERSION = 5;
    private static final short FIRST_ABORTABLE_VERSION = 4;

    private final GroupCoordinators groups;
    private final int offsetMetadataMaxBytes;

    public TxnOffsetCommitHandler(GroupCoordinators groups, int offsetMetadataMaxBytes) {
        this.groups = groups;
        this.offsetMetadataMaxBytes = offsetMetadataMaxBytes;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.TXN_OFFSET_COMMIT;
    }

    /** v6 names topics by id; clients fall back to v5. */
    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        TxnOffsetCommitRequestData data = ((TxnOffsetCommitRequest) request).data();
        OffsetCommitValidation validation =
                new OffsetCommitValidation(context.services().metadata().image(), offsetMetadataMaxBytes);
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic : data.topics()) {
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : topic.partitions()) {
                validation.add(
                        topic.name(),
                        p.partitionIndex(),
                        p.committedOffset(),
                        p.committedLeaderEpoch(),
                        p.committedMetadata());
            }
        }
        Map<TopicPartition, Errors> errors = validation.errors();
        Map<TopicPartition, CommittedOffset> valid = validation.valid();
        if (data.transactionalId() == null || data.transactionalId().isEmpty()) {
            return CompletableFuture.completedFuture(response(data, errors, Errors.INVALID_REQUEST));
        }
        OptionalInt coordinator = groups.coordinatorNodeOf(data.groupId());
        if (coordinator.isPresent()
                && coordinator.getAsInt() != context.services().nodeId()) {
            // sent to the group's coordinator, as Kafka's producer does: elsewhere it looks it up again
            return CompletableFuture.completedFuture(response(data, errors, Errors.NOT_COORDINATOR));
        }
        if (valid.isEmpty()) {
            return CompletableFuture.completedFuture(response(data, errors, Errors.NONE));
        }
        if (!TxnAsk.available(context)) {
            return CompletableFuture.completedFuture(response(data, errors, Errors.COORDINATOR_NOT_AVAILABLE));
        }
        short version = context.apiVersion();
        return inTransaction(context, data, version)
                .thenCompose(error ->
                        error != Errors.NONE ? CompletableFuture.completedFuture(error) : stage(context, data, valid))
                .thenApply(error -> response(data, errors, error));
    }

    /** Asks the transaction coordinator to verify (or, v5+, add) the group; mapped for the version. */
    private static CompletableFuture<Errors> inTransaction(
            RequestContext context, TxnOffsetCommitRequestData data, short version) {
        boolean add = version >= FIRST_ADD_VERSION;
        CompletableFuture<TransactionCoordinator.ErrorResult> answer = TxnAsk.ask(
                context,
                data.transactionalId(),
                replyTo -> new TransactionCoordinator.AddOffsets(
                        data.producerId(), data.producerEpoch(), data.groupId(), !add, (short) (add ? 2 : 0), replyTo));
        return answer.handle((result, failure) -> {
            if (failure != null) {
                return Errors.COORDINATOR_LOAD_IN_PROGRESS;
            }
            Errors error = result.error();
            if (error == Errors.TRANSACTION_ABORTABLE && version < FIRST_ABORTABLE_VERSION) {
                return Errors.INVALID_TXN_STATE;
            }
            return error == Errors.PRODUCER_FENCED ? Errors.INVALID_PRODUCER_EPOCH : error;
        });
    }

    private CompletableFuture<Errors> stage(
            RequestContext context, TxnOffsetCommitRequestData data, Map<TopicPartition, CommittedOffset> valid) {
        return Ask.<GroupCoordinator.Command, GroupCoordinator.ErrorResult>ask(
                        groups.coordinator(data.groupId()),
                        replyTo -> new GroupCoordinator.CommitTxnOffsets(
                                data.producerId(),
                                data.producerEpoch(),
                                data.memberId(),
                                data.groupInstanceId(),
                                data.generationIdOrMemberEpoch(),
                                valid,
                                replyTo),
                        context.services().settings().askTimeout(),
                        context.services().scheduler())
                .handle((result, failure) -> failure != null ? Errors.COORDINATOR_NOT_AVAILABLE : result.error());
    }

    private static ApiResponse response(
            TxnOffsetCommitRequestData data, Map<TopicPartition, Errors> errors, Errors coordinatorError) {
        TxnOffsetCommitResponseData body = new TxnOffsetCommitResponseData();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic : data.topics()) {
            TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic out =
                    new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName(topic.name());
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : topic.partitions()) {
                Errors error =
                        errors.getOrDefault(new TopicPartition(topic.name(), p.partitionIndex()), coordinatorError);
                out.partitions()
                        .add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(error.code()));
            }
            body.topics().add(out);
        }
        return new ApiResponse(body);
    }
}
