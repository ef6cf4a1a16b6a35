package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListGroupsResponse;

/**
 * ListGroups v0+: a Stable group with a member and an Empty group with only commits, with their
 * protocol type, state (v4+) and type (v5+, "classic"), and the state (v4+) and type (v5+) filters.
 */
final class ListGroupsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("list-groups", version);
        sweep.createTopic(topic, 1);
        Groups.Member stable = Groups.joinAndSync(sweep, name("list-groups-stable", version), topic);
        String empty = name("list-groups-empty", version);
        Groups.commit(sweep, empty, topic, 1L);

        List<String> all = list(sweep, version, new ListGroupsRequestData(), stable.groupId(), empty);
        String stableState = version >= 4 ? "Stable" : "";
        String emptyState = version >= 4 ? "Empty" : "";
        String type = version >= 5 ? "classic" : "";
        assertThat(all)
                .containsExactly(
                        stable.groupId() + "|consumer|" + stableState + "|" + type,
                        empty + "||" + emptyState + "|" + type);
        if (version >= 4) {
            assertThat(list(
                            sweep,
                            version,
                            new ListGroupsRequestData().setStatesFilter(List.of("Stable")),
                            stable.groupId(),
                            empty))
                    .containsExactly(stable.groupId() + "|consumer|Stable|" + type);
        }
        if (version >= 5) {
            assertThat(list(
                            sweep,
                            version,
                            new ListGroupsRequestData().setTypesFilter(List.of("consumer")),
                            stable.groupId(),
                            empty))
                    .isEmpty();
            assertThat(list(
                            sweep,
                            version,
                            new ListGroupsRequestData().setTypesFilter(List.of("classic")),
                            stable.groupId(),
                            empty))
                    .hasSize(2);
        }
    }

    /** The listed groups among {@code ours} as "id|protocolType|state|type", in the order of {@code ours}. */
    private static List<String> list(SweepContext sweep, short version, ListGroupsRequestData request, String... ours)
            throws Exception {
        ListGroupsResponse answer = sweep.client().send(ApiKeys.LIST_GROUPS, version, request);
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        List<String> listed = new ArrayList<>();
        for (String id : ours) {
            for (ListedGroup group : answer.data().groups()) {
                if (group.groupId().equals(id)) {
                    listed.add(id + "|" + group.protocolType() + "|" + group.groupState() + "|" + group.groupType());
                }
            }
        }
        return listed;
    }
}
