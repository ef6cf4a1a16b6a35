package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsResponse;

/**
 * DeleteGroups v0+: an Empty group with commits is deleted (its offsets are gone), a group with a
 * member is NON_EMPTY_GROUP, a group that does not exist GROUP_ID_NOT_FOUND.
 */
final class DeleteGroupsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("delete-groups", version);
        sweep.createTopic(topic, 1);
        String empty = name("delete-groups-empty", version);
        Groups.commit(sweep, empty, topic, 3L);
        Groups.Member member = Groups.joinAndSync(sweep, name("delete-groups-member", version), topic);
        String missing = name("delete-groups-none", version);

        DeleteGroupsResponse answer = sweep.client()
                .send(
                        ApiKeys.DELETE_GROUPS,
                        version,
                        new DeleteGroupsRequestData().setGroupsNames(List.of(empty, member.groupId(), missing)));
        assertThat(answer.data().results())
                .extracting(DeletableGroupResult::groupId, r -> Errors.forCode(r.errorCode()))
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(empty, Errors.NONE),
                        org.assertj.core.groups.Tuple.tuple(member.groupId(), Errors.NON_EMPTY_GROUP),
                        org.assertj.core.groups.Tuple.tuple(missing, Errors.GROUP_ID_NOT_FOUND));
        assertThat(Groups.committed(sweep, empty, topic, 1)).containsExactly(-1L);
    }
}
