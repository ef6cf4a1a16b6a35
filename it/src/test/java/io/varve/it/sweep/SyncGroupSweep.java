package io.varve.it.sweep;

import static io.varve.it.sweep.Groups.joinRequest;
import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * SyncGroup v0+: the leader of a freshly joined group hands out the assignment and gets its own
 * share back (protocol type and name echoed from v5); errors ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID
 * and, from v5, INCONSISTENT_GROUP_PROTOCOL for a protocol name the group did not choose.
 */
final class SyncGroupSweep implements VersionScenario {
    private static final short FIRST_PROTOCOL_VERSION = 5;

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String group = name("sync", version);
        String topic = name("sync-topic", version);
        short joinVersion = ApiKeys.JOIN_GROUP.latestVersion();
        JoinGroupResponse required =
                sweep.client().send(ApiKeys.JOIN_GROUP, joinVersion, joinRequest(group, "", topic));
        String memberId = required.data().memberId();
        JoinGroupResponse joined =
                sweep.client().send(ApiKeys.JOIN_GROUP, joinVersion, joinRequest(group, memberId, topic));
        int generation = joined.data().generationId();
        byte[] assignment = Groups.bytes(Groups.assignment(topic, 0, 1));

        assertThat(sync(sweep, version, request(version, group, memberId, generation + 1, assignment))
                        .data()
                        .errorCode())
                .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(sync(sweep, version, request(version, group, "unknown-member", generation, assignment))
                        .data()
                        .errorCode())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        if (version >= FIRST_PROTOCOL_VERSION) {
            assertThat(sync(
                                    sweep,
                                    version,
                                    request(version, group, memberId, generation, assignment)
                                            .setProtocolName("roundrobin"))
                            .data()
                            .errorCode())
                    .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        }

        SyncGroupResponse synced = sync(sweep, version, request(version, group, memberId, generation, assignment));
        assertThat(Errors.forCode(synced.data().errorCode())).isEqualTo(Errors.NONE);
        assertThat(synced.data().assignment()).isEqualTo(assignment);
        assertThat(synced.data().protocolType())
                .isEqualTo(version >= FIRST_PROTOCOL_VERSION ? Groups.PROTOCOL_TYPE : null);
        assertThat(synced.data().protocolName()).isEqualTo(version >= FIRST_PROTOCOL_VERSION ? Groups.PROTOCOL : null);
    }

    private static SyncGroupRequestData request(
            short version, String group, String memberId, int generation, byte[] assignment) {
        SyncGroupRequestData request = new SyncGroupRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setGenerationId(generation)
                .setAssignments(List.of(
                        new SyncGroupRequestAssignment().setMemberId(memberId).setAssignment(assignment)));
        if (version >= FIRST_PROTOCOL_VERSION) {
            request.setProtocolType(Groups.PROTOCOL_TYPE).setProtocolName(Groups.PROTOCOL);
        }
        return request;
    }

    private static SyncGroupResponse sync(SweepContext sweep, short version, SyncGroupRequestData request)
            throws Exception {
        return sweep.client().send(ApiKeys.SYNC_GROUP, version, request);
    }
}
