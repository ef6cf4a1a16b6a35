package io.varve.transport.api.group;

import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;

/**
 * ListGroups with the state (v4+) and type (v5+) filters, both case-insensitive as in Kafka. Every
 * group with a journal is asked for its description; deleted groups are left out. All groups are
 * of type "classic". Stateless.
 */
public final class ListGroupsHandler implements ApiHandler {
    private static final String CLASSIC = "classic";

    private final GroupCoordinators coordinators;

    public ListGroupsHandler(GroupCoordinators coordinators) {
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        ListGroupsRequestData data = ((ListGroupsRequest) request).data();
        Set<String> states = lowerCase(data.statesFilter());
        Set<String> types = lowerCase(data.typesFilter());
        short version = context.apiVersion();
        return coordinators
                .groupIds()
                .thenCompose(ids -> GroupDescriptions.describe(coordinators, context, ids))
                .handle((described, failure) -> {
                    ListGroupsResponseData body = new ListGroupsResponseData();
                    if (failure != null) {
                        return new ApiResponse(body.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
                    }
                    for (GroupDescriptions.Described d : described) {
                        String state = d.description().state().kafkaName();
                        if (!d.description().exists()
                                || (!states.isEmpty() && !states.contains(state.toLowerCase(Locale.ROOT)))
                                || (!types.isEmpty() && !types.contains(CLASSIC))) {
                            continue;
                        }
                        ListGroupsResponseData.ListedGroup listed = new ListGroupsResponseData.ListedGroup()
                                .setGroupId(d.groupId())
                                .setProtocolType(d.description().protocolType());
                        if (version >= 4) {
                            listed.setGroupState(state);
                        }
                        if (version >= 5) {
                            listed.setGroupType(CLASSIC);
                        }
                        body.groups().add(listed);
                    }
                    return new ApiResponse(body);
                });
    }

    private static Set<String> lowerCase(List<String> values) {
        return values == null
                ? Set.of()
                : values.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }
}
