package io.varve.it.sweep;

import static io.varve.it.sweep.Groups.joinRequest;
import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupResponse;

/**
 * JoinGroup v0+: a new member joins an empty group and leads generation 1 (below v4 at once; from v4
 * after MEMBER_ID_REQUIRED hands it its id, KIP-394), a static member (v5+, KIP-345) joins without
 * that round trip, and Kafka's errors: INVALID_SESSION_TIMEOUT, UNKNOWN_MEMBER_ID, INVALID_GROUP_ID,
 * INCONSISTENT_GROUP_PROTOCOL. The protocol type is in the answer from v7, protocol name null-able
 * from v7.
 */
final class JoinGroupSweep implements VersionScenario {
    private static final short FIRST_MEMBER_ID_REQUIRED_VERSION = 4;
    private static final short FIRST_STATIC_MEMBER_VERSION = 5;

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String group = name("join", version);
        String topic = name("join-topic", version);
        JoinGroupResponse first = join(sweep, version, joinRequest(group, "", topic));
        String memberId = first.data().memberId();
        assertThat(memberId).isNotEmpty();
        JoinGroupResponse joined = first;
        if (version >= FIRST_MEMBER_ID_REQUIRED_VERSION) {
            assertThat(first.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
            assertThat(first.data().generationId()).isEqualTo(-1);
            joined = join(sweep, version, joinRequest(group, memberId, topic));
        }
        assertLeader(joined, version, memberId, 1);

        assertThat(join(sweep, version, joinRequest(group, "unknown-member", topic))
                        .error())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(join(sweep, version, joinRequest(group, "", topic).setProtocolType("connect"))
                        .error())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(join(
                                sweep,
                                version,
                                joinRequest(name("join-short", version), "", topic)
                                        .setSessionTimeoutMs(1))
                        .error())
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        assertThat(join(sweep, version, joinRequest("", "", topic)).error()).isEqualTo(Errors.INVALID_GROUP_ID);

        if (version >= FIRST_STATIC_MEMBER_VERSION) {
            String staticGroup = name("join-static", version);
            JoinGroupResponse staticJoin =
                    join(sweep, version, joinRequest(staticGroup, "", topic).setGroupInstanceId("instance-1"));
            assertLeader(staticJoin, version, staticJoin.data().memberId(), 1);
            assertThat(staticJoin.data().members())
                    .extracting(JoinGroupResponseMember::groupInstanceId)
                    .containsExactly("instance-1");
        }
    }

    private static JoinGroupResponse join(SweepContext sweep, short version, JoinGroupRequestData request)
            throws Exception {
        if (version == 0) {
            request.setRebalanceTimeoutMs(-1);
        }
        return sweep.client().send(ApiKeys.JOIN_GROUP, version, request);
    }

    private static void assertLeader(JoinGroupResponse joined, short version, String memberId, int generation) {
        assertThat(joined.error()).isEqualTo(Errors.NONE);
        assertThat(joined.data().memberId()).isEqualTo(memberId);
        assertThat(joined.data().leader()).isEqualTo(memberId);
        assertThat(joined.data().generationId()).isEqualTo(generation);
        assertThat(joined.data().protocolName()).isEqualTo(Groups.PROTOCOL);
        assertThat(joined.data().protocolType()).isEqualTo(version >= 7 ? Groups.PROTOCOL_TYPE : null);
        assertThat(joined.data().skipAssignment()).isFalse();
        assertThat(joined.data().members())
                .extracting(JoinGroupResponseMember::memberId)
                .containsExactly(memberId);
    }
}
