package io.varve.transport.api.txn;

import io.varve.metadata.Ask;
import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * WriteTxnMarkers on the wire: what a coordinator sends a partition leader, and what Admin's {@code
 * abortTransaction} (kafka-transactions.sh abort) sends to abort a hanging transaction. Each marker
 * goes to its partitions' local leaders ({@code PartitionActor.WriteTxnMarker}, with the
 * coordinator-epoch and producer-epoch fencing of the log); a partition of an unknown topic is
 * UNKNOWN_TOPIC_OR_PARTITION, one not led here NOT_LEADER_OR_FOLLOWER. v2's transaction version
 * says whether the marker carries a bumped epoch (version 2). Stateless.
 */
public final class WriteTxnMarkersHandler implements ApiHandler {
    private static final short FIRST_TRANSACTION_VERSION_VERSION = 2;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_TXN_MARKERS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        WriteTxnMarkersRequest write = (WriteTxnMarkersRequest) request;
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (WritableTxnMarker marker : write.data().markers()) {
            WritableTxnMarkerResult result = new WritableTxnMarkerResult().setProducerId(marker.producerId());
            response.markers().add(result);
            short transactionVersion =
                    context.apiVersion() >= FIRST_TRANSACTION_VERSION_VERSION ? marker.transactionVersion() : 0;
            for (WritableTxnMarkerTopic topic : marker.topics()) {
                WritableTxnMarkerTopicResult topicResult = new WritableTxnMarkerTopicResult().setName(topic.name());
                result.topics().add(topicResult);
                for (int partition : topic.partitionIndexes()) {
                    WritableTxnMarkerPartitionResult partitionResult =
                            new WritableTxnMarkerPartitionResult().setPartitionIndex(partition);
                    topicResult.partitions().add(partitionResult);
                    pending.add(write(
                            context.services(),
                            new TopicPartition(topic.name(), partition),
                            marker,
                            transactionVersion,
                            partitionResult));
                }
            }
        }
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> new ApiResponse(response));
    }

    private static CompletableFuture<Void> write(
            BrokerServices services,
            TopicPartition tp,
            WritableTxnMarker marker,
            short transactionVersion,
            WritableTxnMarkerPartitionResult result) {
        if (services.metadata().image().partition(tp).isEmpty()) {
            result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return CompletableFuture.completedFuture(null);
        }
        Optional<ActorRef<PartitionActor.Command>> leader =
                services.partitions().lookup(tp);
        if (leader.isEmpty()) {
            result.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
            return CompletableFuture.completedFuture(null);
        }
        Duration timeout = services.settings().askTimeout();
        return Ask.<PartitionActor.Command, PartitionActor.TxnMarkerWritten>ask(
                        leader.get(),
                        replyTo -> new PartitionActor.WriteTxnMarker(
                                marker.producerId(),
                                marker.producerEpoch(),
                                marker.coordinatorEpoch(),
                                marker.transactionResult(),
                                transactionVersion,
                                (int) timeout.toMillis(),
                                replyTo),
                        timeout.plusSeconds(1),
                        services.scheduler())
                .handle((written, failure) -> {
                    result.setErrorCode(
                            failure != null
                                    ? Errors.REQUEST_TIMED_OUT.code()
                                    : written.error().code());
                    return null;
                });
    }
}
