package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.group.classic.GroupDescription;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Asks several groups for their description at once; a group that does not answer is omitted. */
final class GroupDescriptions {
    private GroupDescriptions() {}

    record Described(String groupId, GroupDescription description) {}

    static CompletionStage<List<Described>> describe(
            GroupCoordinators coordinators, RequestContext context, List<String> groupIds) {
        List<CompletableFuture<Described>> asks = new ArrayList<>();
        for (String groupId : groupIds) {
            CompletionStage<GroupDescription> answer =
                    GroupAsk.ask(coordinators, context, groupId, GroupCoordinator.DescribeGroup::new);
            asks.add(answer.handle((d, failure) -> failure != null ? null : new Described(groupId, d))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Described> described = new ArrayList<>();
            asks.forEach(a -> {
                if (a.join() != null) {
                    described.add(a.join());
                }
            });
            return described;
        });
    }
}
