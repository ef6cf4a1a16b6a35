package io.varve.transport.api.group;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/**
 * OffsetFetch of one group (v1–7) or a batch of groups (v8–9), of given partitions or all. A
 * partition without a committed offset is answered with offset -1. The coordinator has already
 * removed offsets of deleted topics and expired ones before it answers. With {@code require_stable}
 * (v7+, what read_committed consumers send) a partition whose offset an open transaction holds is
 * answered UNSTABLE_OFFSET_COMMIT with offset -1, and the consumer asks again. Stateless.
 */
public final class OffsetFetchHandler implements ApiHandler {
    private final GroupCoordinators coordinators;

    public OffsetFetchHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    /** v10 names topics by id only; clients fall back to v9. */
    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        OffsetFetchRequestData data = ((OffsetFetchRequest) request).data();
        if (context.apiVersion() < 8) {
            List<TopicPartition> partitions = data.topics() == null ? null : partitionsOf(data.topics());
            boolean requireStable = context.apiVersion() >= 7 && data.requireStable();
            return fetch(context, data.groupId(), partitions, requireStable).thenApply(group -> {
                OffsetFetchResponseData body = new OffsetFetchResponseData().setErrorCode(group.errorCode());
                group.topics().forEach(t -> body.topics().add(OffsetFetchResponses.toSingleGroupTopic(t)));
                return new ApiResponse(body);
            });
        }
        List<CompletableFuture<OffsetFetchResponseData.OffsetFetchResponseGroup>> groups = new ArrayList<>();
        for (OffsetFetchRequestData.OffsetFetchRequestGroup group : data.groups()) {
            List<TopicPartition> partitions = group.topics() == null ? null : partitionsOfGroup(group.topics());
            groups.add(fetch(context, group.groupId(), partitions, data.requireStable())
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).thenApply(done -> {
            OffsetFetchResponseData body = new OffsetFetchResponseData();
            groups.forEach(g -> body.groups().add(g.join()));
            return new ApiResponse(body);
        });
    }

    private CompletionStage<OffsetFetchResponseData.OffsetFetchResponseGroup> fetch(
            RequestContext context, String groupId, List<TopicPartition> partitions, boolean requireStable) {
        boolean all = partitions == null;
        CompletionStage<GroupCoordinator.OffsetsResult> answer = GroupAsk.ask(
                coordinators,
                context,
                groupId,
                replyTo ->
                        new GroupCoordinator.FetchOffsets(all, all ? List.of() : partitions, requireStable, replyTo));
        return answer.handle((result, failure) -> {
            if (failure != null) {
                return new OffsetFetchResponseData.OffsetFetchResponseGroup()
                        .setGroupId(groupId)
                        .setErrorCode(GroupAsk.error(failure).code());
            }
            Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
            if (all) {
                offsets.putAll(result.offsets());
            } else {
                partitions.forEach(tp -> offsets.put(tp, result.offsets().get(tp)));
            }
            return OffsetFetchResponses.group(groupId, offsets, result.unstable());
        });
    }

    private static List<TopicPartition> partitionsOf(List<OffsetFetchRequestData.OffsetFetchRequestTopic> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        topics.forEach(t -> t.partitionIndexes().forEach(p -> partitions.add(new TopicPartition(t.name(), p))));
        return partitions;
    }

    private static List<TopicPartition> partitionsOfGroup(
            List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        topics.forEach(t -> t.partitionIndexes().forEach(p -> partitions.add(new TopicPartition(t.name(), p))));
        return partitions;
    }
}
