package io.varve.transport.api.fetch;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch (v4+; topics by id from v13): resolves the request against the node's {@link
 * FetchSessionCache} (KIP-227), reads every partition through {@link FetchOperation} (long poll on
 * {@code minBytes}/{@code maxWaitMs}, KIP-74 max bytes) and answers with record sections as file
 * slices, written with sendfile. Per-partition errors: UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_LEADER_OR_FOLLOWER with the leader hint, and whatever the partition reports (e.g.
 * OFFSET_OUT_OF_RANGE). A follower's fetch (replica id ≥ 0) is a {@link ReplicaFetchOperation}.
 * Stateless apart from the shared session cache.
 */
public final class FetchHandler implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(FetchHandler.class);

    private final FetchSessionCache sessions;

    public FetchHandler(FetchSessionCache sessions) {
        this.sessions = sessions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        FetchRequest fetch = (FetchRequest) request;
        short version = context.apiVersion();
        if (fetch.isFromFollower()) {
            return new ReplicaFetchOperation(context.services(), fetch, version).run();
        }
        boolean usesTopicIds = version >= 13;
        Map<Uuid, String> topicNames = context.services().metadata().image().topicNamesById();
        Map<TopicIdPartition, FetchRequest.PartitionData> fetchData = fetch.fetchData(topicNames);
        FetchContext fetchContext =
                sessions.newContext(fetch.metadata(), fetchData, fetch.forgottenTopics(topicNames), usesTopicIds);
        if (fetchContext.isError()) {
            log.debug("Fetch from {}: {} ({})", context.clientAddress(), fetchContext.error(), fetchContext.message());
            return CompletableFuture.completedFuture(new ApiResponse(FetchResponseBuilder.error(fetchContext.error())));
        }
        boolean readCommitted = fetch.isolationLevel() == IsolationLevel.READ_COMMITTED;
        FetchReader reader = new FetchReader(context.services(), readCommitted, fetch.maxBytes());
        return new FetchOperation(
                        context.services(), reader, fetchContext.partitions(), fetch.minBytes(), fetch.maxWait())
                .run()
                .thenApply(results -> {
                    FetchSessionCache.SessionResponse answer = sessions.respond(fetchContext, results, usesTopicIds);
                    return new ApiResponse(FetchResponseBuilder.build(
                            version, answer.sessionId(), answer.partitions(), readCommitted));
                });
    }
}
