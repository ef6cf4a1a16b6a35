package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatResponse;

/** Heartbeat v0+ in a Stable group: NONE, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID. */
final class HeartbeatSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        Groups.Member member = Groups.joinAndSync(sweep, name("heartbeat", version), name("heartbeat-topic", version));
        assertThat(beat(sweep, version, member.groupId(), member.memberId(), member.generationId()))
                .isEqualTo(Errors.NONE);
        assertThat(beat(sweep, version, member.groupId(), member.memberId(), member.generationId() + 1))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(beat(sweep, version, member.groupId(), "unknown-member", member.generationId()))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    private static Errors beat(SweepContext sweep, short version, String group, String memberId, int generation)
            throws Exception {
        HeartbeatResponse answer = sweep.client()
                .send(
                        ApiKeys.HEARTBEAT,
                        version,
                        new HeartbeatRequestData()
                                .setGroupId(group)
                                .setMemberId(memberId)
                                .setGenerationId(generation));
        return answer.error();
    }
}
