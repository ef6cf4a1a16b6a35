package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.LeaveGroupResponse;

/**
 * LeaveGroup: one member by id (v0–2; an unknown one is the top-level UNKNOWN_MEMBER_ID), or a batch
 * from v3 with an answer per member (UNKNOWN_MEMBER_ID for one the group does not have); the group
 * is Empty afterwards.
 */
final class LeaveGroupSweep implements VersionScenario {
    private static final short FIRST_BATCH_VERSION = 3;

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        Groups.Member member = Groups.joinAndSync(sweep, name("leave", version), name("leave-topic", version));
        String group = member.groupId();
        if (version < FIRST_BATCH_VERSION) {
            assertThat(leave(
                                    sweep,
                                    version,
                                    new LeaveGroupRequestData()
                                            .setGroupId(group)
                                            .setMemberId("unknown-member"))
                            .data()
                            .errorCode())
                    .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
            LeaveGroupResponse left = leave(
                    sweep,
                    version,
                    new LeaveGroupRequestData().setGroupId(group).setMemberId(member.memberId()));
            assertThat(Errors.forCode(left.data().errorCode())).isEqualTo(Errors.NONE);
        } else {
            LeaveGroupResponse left = leave(
                    sweep,
                    version,
                    new LeaveGroupRequestData()
                            .setGroupId(group)
                            .setMembers(List.of(
                                    new MemberIdentity().setMemberId(member.memberId()),
                                    new MemberIdentity().setMemberId("unknown-member"))));
            assertThat(Errors.forCode(left.data().errorCode())).isEqualTo(Errors.NONE);
            assertThat(left.data().members())
                    .extracting(MemberResponse::memberId, m -> Errors.forCode(m.errorCode()))
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(member.memberId(), Errors.NONE),
                            org.assertj.core.groups.Tuple.tuple("unknown-member", Errors.UNKNOWN_MEMBER_ID));
        }
        DescribeGroupsResponse described = sweep.client()
                .send(
                        ApiKeys.DESCRIBE_GROUPS,
                        ApiKeys.DESCRIBE_GROUPS.latestVersion(),
                        new DescribeGroupsRequestData().setGroups(List.of(group)));
        assertThat(described.data().groups().get(0).groupState()).isEqualTo("Empty");
        assertThat(described.data().groups().get(0).members()).isEmpty();
    }

    private static LeaveGroupResponse leave(SweepContext sweep, short version, LeaveGroupRequestData request)
            throws Exception {
        return sweep.client().send(ApiKeys.LEAVE_GROUP, version, request);
    }
}
