package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitResponse;

/**
 * OffsetCommit v2+: a group member's commit (retention time -1 in v2–4, leader epoch from v6) read
 * back exactly, a simple commit of a member-less group, and Kafka's errors: ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID, UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE, and a generation for a
 * group that does not exist (ILLEGAL_GENERATION before v9, GROUP_ID_NOT_FOUND from v9).
 */
final class OffsetCommitSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("commit", version);
        sweep.createTopic(topic, 2);
        Groups.Member member = Groups.joinAndSync(sweep, name("commit", version), topic);

        Commit commit = new Commit(sweep, version, topic);
        assertThat(commit.send(member.groupId(), member.memberId(), member.generationId(), 5L, "m0"))
                .isEqualTo(Errors.NONE);
        assertThat(Groups.committed(sweep, member.groupId(), topic, 2)).containsExactly(5L, 5L);

        String simple = name("commit-simple", version);
        assertThat(commit.send(simple, "", -1, 9L, "s")).isEqualTo(Errors.NONE);
        assertThat(Groups.committed(sweep, simple, topic, 2)).containsExactly(9L, 9L);

        assertThat(commit.send(member.groupId(), member.memberId(), member.generationId() + 1, 6L, ""))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commit.send(member.groupId(), "unknown-member", member.generationId(), 6L, ""))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commit.send(member.groupId(), member.memberId(), member.generationId(), 6L, "x".repeat(4097)))
                .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE);
        assertThat(new Commit(sweep, version, name("commit-missing", version))
                        .send(member.groupId(), member.memberId(), member.generationId(), 6L, ""))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(commit.send(name("commit-no-group", version), "some-member", 1, 6L, ""))
                .isEqualTo(version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION);
        assertThat(Groups.committed(sweep, member.groupId(), topic, 2)).containsExactly(5L, 5L);
    }

    private record Commit(SweepContext sweep, short version, String topic) {
        /** Commits {@code offset} on both partitions; the one error both partitions answered. */
        Errors send(String group, String memberId, int generation, long offset, String metadata) throws Exception {
            OffsetCommitRequestTopic commit = new OffsetCommitRequestTopic().setName(topic);
            for (int partition = 0; partition < 2; partition++) {
                OffsetCommitRequestPartition p = new OffsetCommitRequestPartition()
                        .setPartitionIndex(partition)
                        .setCommittedOffset(offset)
                        .setCommittedMetadata(metadata);
                if (version >= 6) {
                    p.setCommittedLeaderEpoch(0);
                }
                commit.partitions().add(p);
            }
            OffsetCommitRequestData request = new OffsetCommitRequestData()
                    .setGroupId(group)
                    .setGenerationIdOrMemberEpoch(generation)
                    .setMemberId(memberId)
                    .setTopics(List.of(commit));
            if (version <= 4) {
                request.setRetentionTimeMs(-1L);
            }
            OffsetCommitResponse answer = sweep.client().send(ApiKeys.OFFSET_COMMIT, version, request);
            assertThat(answer.data().topics()).hasSize(1);
            assertThat(answer.data().topics().get(0).name()).isEqualTo(topic);
            assertThat(answer.errorCounts()).hasSize(1);
            return answer.errorCounts().keySet().iterator().next();
        }
    }
}
