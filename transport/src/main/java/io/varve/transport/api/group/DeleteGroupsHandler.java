package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

/**
 * DeleteGroups: a group with members gets NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND;
 * otherwise the group and its offsets are deleted. Stateless.
 */
public final class DeleteGroupsHandler implements ApiHandler {
    private final GroupCoordinators coordinators;

    public DeleteGroupsHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DeleteGroupsRequestData data = ((DeleteGroupsRequest) request).data();
        List<CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult>> results = new ArrayList<>();
        for (String groupId : data.groupsNames()) {
            CompletionStage<GroupCoordinator.ErrorResult> answer =
                    GroupAsk.ask(coordinators, context, groupId, GroupCoordinator.DeleteGroup::new);
            results.add(answer.handle((result, failure) -> new DeleteGroupsResponseData.DeletableGroupResult()
                            .setGroupId(groupId)
                            .setErrorCode(
                                    failure != null
                                            ? GroupAsk.error(failure).code()
                                            : result.error().code()))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    DeleteGroupsResponseData body = new DeleteGroupsResponseData();
                    results.forEach(r -> body.results().add(r.join()));
                    return new ApiResponse(body);
                });
    }
}
