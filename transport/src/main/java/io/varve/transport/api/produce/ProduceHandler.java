package io.varve.transport.api.produce;

import io.varve.metadata.Ask;
import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.internal.LeaderHint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpoint;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Produce: one {@code PartitionActor.Append} per partition, gathered into one response that echoes
 * each topic as the request named it (name up to v12, topic id from v13). A transactional batch in
 * a request without a transactional id fails the whole request with TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
 * as in Kafka. Per-partition errors: INVALID_REQUIRED_ACKS (acks not -1/0/1), UNKNOWN_TOPIC_OR_PARTITION
 * (UNKNOWN_TOPIC_ID by id), Kafka's v3+ request checks before any append ({@link ProducedRecords}:
 * INVALID_RECORD without records or with other than one magic v2 batch, UNSUPPORTED_COMPRESSION_TYPE
 * for zstd before v7), the partition's validation errors (with per-record errors from v8),
 * NOT_LEADER_OR_FOLLOWER when the partition is not hosted here (with the KIP-951 leader hint from
 * v10), REQUEST_TIMED_OUT when the partition does not answer in time; from v8, the records a partition
 * rejected (KIP-467, e.g. keyless records on a compacted topic). acks=0 has no response.
 * Stateless.
 */
public final class ProduceHandler implements ApiHandler {
    /** First version carrying KIP-951's currentLeader and nodeEndpoints. */
    private static final short FIRST_LEADER_HINT_VERSION = 10;
    /** First version carrying per-record errors (KIP-467). */
    private static final short FIRST_RECORD_ERRORS_VERSION = 8;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        ProduceRequest produce = (ProduceRequest) request;
        short acks = produce.acks();
        if (ProducedRecords.hasTransactionalBatchWithoutId(produce)) {
            return CompletableFuture.completedFuture(
                    acks == 0
                            ? ApiResponse.NONE
                            : new ApiResponse(
                                    produce.getErrorResponse(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.exception(
                                                    "a transactional batch needs the producer's transactional id"))
                                            .data()));
        }
        boolean validAcks = acks == -1 || acks == 0 || acks == 1;
        MetadataImage image = context.services().metadata().image();
        List<CompletableFuture<TopicProduceResponse>> topics = new ArrayList<>();
        Map<Integer, BrokerInfo> endpoints = new HashMap<>();
        for (TopicProduceData topic : produce.data().topicData()) {
            topics.add(onTopic(context, produce, topic, validAcks, image, endpoints));
        }
        CompletableFuture<ApiResponse> response = CompletableFuture.allOf(topics.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> acks == 0 ? ApiResponse.NONE : response(context, topics, endpoints));
        return response;
    }

    private CompletableFuture<TopicProduceResponse> onTopic(
            RequestContext context,
            ProduceRequest produce,
            TopicProduceData topic,
            boolean validAcks,
            MetadataImage image,
            Map<Integer, BrokerInfo> endpoints) {
        boolean byId = context.apiVersion() >= 13;
        Optional<TopicImage> known = byId ? image.topic(topic.topicId()) : image.topic(topic.name());
        Errors unknown = byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        List<CompletableFuture<PartitionProduceResponse>> partitions = new ArrayList<>();
        for (PartitionProduceData data : topic.partitionData()) {
            PartitionProduceResponse partition = new PartitionProduceResponse().setIndex(data.index());
            if (!validAcks) {
                partitions.add(done(error(
                        partition, Errors.INVALID_REQUIRED_ACKS, "acks " + produce.acks() + " is not -1, 0 or 1")));
            } else if (known.isEmpty()) {
                partitions.add(done(error(partition, unknown, "unknown topic " + describe(topic))));
            } else if (!known.get().partitions().containsKey(data.index())) {
                partitions.add(done(error(
                        partition,
                        Errors.UNKNOWN_TOPIC_OR_PARTITION,
                        "topic " + known.get().name() + " has no partition " + data.index())));
            } else {
                TopicPartition tp = new TopicPartition(known.get().name(), data.index());
                partitions.add(append(context, produce, tp, data, partition, image, endpoints));
            }
        }
        return CompletableFuture.allOf(partitions.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> new TopicProduceResponse()
                        .setName(topic.name())
                        .setTopicId(topic.topicId())
                        .setPartitionResponses(
                                partitions.stream().map(CompletableFuture::join).toList()));
    }

    private CompletableFuture<PartitionProduceResponse> append(
            RequestContext context,
            ProduceRequest produce,
            TopicPartition tp,
            PartitionProduceData data,
            PartitionProduceResponse partition,
            MetadataImage image,
            Map<Integer, BrokerInfo> endpoints) {
        BrokerServices services = context.services();
        ProducedRecords.Problem problem = ProducedRecords.check(data.records(), context.apiVersion());
        if (problem != null) {
            return done(error(partition, problem.error(), problem.message() + " for " + tp));
        }
        MemoryRecords records = (MemoryRecords) data.records();
        Optional<ActorRef<PartitionActor.Command>> actor = services.partitions().lookup(tp);
        if (actor.isEmpty()) {
            return done(notLeader(context, partition, tp, image, endpoints));
        }
        // acks=all waits up to the request's timeout in the partition; the ask must outlive it.
        Duration timeout = produce.acks() == -1
                ? services.settings().askTimeout().plusMillis(Math.max(0, produce.timeout()))
                : services.settings().askTimeout();
        CompletionStage<PartitionActor.AppendResponse> answer = Ask.ask(
                actor.get(),
                replyTo -> new PartitionActor.Append(
                        records,
                        produce.acks(),
                        produce.timeout(),
                        produce.transactionalId(),
                        PartitionActor.TxnVerification.forProduceVersion(context.apiVersion()),
                        replyTo),
                timeout,
                services.scheduler());
        return answer.handle((appended, failure) -> {
                    if (failure != null) {
                        return error(
                                partition,
                                Errors.REQUEST_TIMED_OUT,
                                "no answer from " + tp + " within " + timeout.toMillis() + " ms");
                    }
                    if (appended.error() == Errors.NOT_LEADER_OR_FOLLOWER) {
                        return notLeader(context, partition, tp, image, endpoints);
                    }
                    if (context.apiVersion() >= FIRST_RECORD_ERRORS_VERSION) {
                        partition.setRecordErrors(appended.recordErrors().stream()
                                .map(e -> new BatchIndexAndErrorMessage()
                                        .setBatchIndex(e.batchIndex())
                                        .setBatchIndexErrorMessage(e.message()))
                                .toList());
                    }
                    return partition
                            .setErrorCode(appended.error().code())
                            .setErrorMessage(appended.error() == Errors.NONE ? null : appended.message())
                            .setBaseOffset(appended.baseOffset())
                            .setLogAppendTimeMs(appended.logAppendTimeMs())
                            .setLogStartOffset(appended.logStartOffset());
                })
                .toCompletableFuture();
    }

    private static PartitionProduceResponse notLeader(
            RequestContext context,
            PartitionProduceResponse partition,
            TopicPartition tp,
            MetadataImage image,
            Map<Integer, BrokerInfo> endpoints) {
        error(
                partition,
                Errors.NOT_LEADER_OR_FOLLOWER,
                tp + " is not led by node " + context.services().nodeId());
        LeaderHint hint = LeaderHint.of(image, tp);
        if (context.apiVersion() >= FIRST_LEADER_HINT_VERSION && hint.isKnown()) {
            partition.setCurrentLeader(
                    new LeaderIdAndEpoch().setLeaderId(hint.leaderId()).setLeaderEpoch(hint.leaderEpoch()));
            hint.leader().ifPresent(broker -> {
                synchronized (endpoints) {
                    endpoints.put(broker.nodeId(), broker);
                }
            });
        }
        return partition;
    }

    private static ApiResponse response(
            RequestContext context,
            List<CompletableFuture<TopicProduceResponse>> topics,
            Map<Integer, BrokerInfo> endpoints) {
        ProduceResponseData data = new ProduceResponseData();
        topics.forEach(topic -> data.responses().add(topic.join()));
        if (context.apiVersion() >= FIRST_LEADER_HINT_VERSION) {
            synchronized (endpoints) {
                endpoints.values().forEach(broker -> data.nodeEndpoints()
                        .add(new NodeEndpoint()
                                .setNodeId(broker.nodeId())
                                .setHost(broker.host())
                                .setPort(broker.port())
                                .setRack(broker.rack())));
            }
        }
        return new ApiResponse(data);
    }

    private static PartitionProduceResponse error(PartitionProduceResponse partition, Errors error, String message) {
        return partition
                .setErrorCode(error.code())
                .setErrorMessage(message)
                .setBaseOffset(-1L)
                .setLogAppendTimeMs(-1L)
                .setLogStartOffset(-1L);
    }

    private static String describe(TopicProduceData topic) {
        return Uuid.ZERO_UUID.equals(topic.topicId())
                ? topic.name()
                : topic.topicId().toString();
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
