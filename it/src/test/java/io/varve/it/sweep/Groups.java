package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * Consumer-group set-up for the group scenarios, at the newest versions (the scenario under test
 * uses its own version for its own API): a member that joined and synced as a Java consumer does,
 * simple (member-less) commits, and reading committed offsets back.
 */
final class Groups {
    static final String PROTOCOL_TYPE = "consumer";
    static final String PROTOCOL = "range";
    static final int SESSION_TIMEOUT_MS = 30_000;

    private Groups() {}

    /** A member of a one-member group after JoinGroup and SyncGroup: the group is Stable. */
    record Member(String groupId, String memberId, int generationId) {}

    static ByteBuffer subscription(String topic) {
        return ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topic)));
    }

    static ByteBuffer assignment(String topic, int... partitions) {
        List<TopicPartition> assigned = new java.util.ArrayList<>();
        for (int partition : partitions) {
            assigned.add(new TopicPartition(topic, partition));
        }
        return ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(assigned));
    }

    /** A JoinGroup body of the shape every consumer sends; {@code memberId} "" for a new member. */
    static JoinGroupRequestData joinRequest(String groupId, String memberId, String topic) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName(PROTOCOL).setMetadata(bytes(subscription(topic))));
        return new JoinGroupRequestData()
                .setGroupId(groupId)
                .setSessionTimeoutMs(SESSION_TIMEOUT_MS)
                .setRebalanceTimeoutMs(SESSION_TIMEOUT_MS)
                .setMemberId(memberId)
                .setProtocolType(PROTOCOL_TYPE)
                .setProtocols(protocols);
    }

    /** Joins {@code groupId} as its only member and syncs an assignment of partition 0 of {@code topic}. */
    static Member joinAndSync(SweepContext sweep, String groupId, String topic) throws Exception {
        short joinVersion = ApiKeys.JOIN_GROUP.latestVersion();
        JoinGroupResponse required =
                sweep.client().send(ApiKeys.JOIN_GROUP, joinVersion, joinRequest(groupId, "", topic));
        assertThat(required.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        String memberId = required.data().memberId();
        JoinGroupResponse joined =
                sweep.client().send(ApiKeys.JOIN_GROUP, joinVersion, joinRequest(groupId, memberId, topic));
        assertThat(joined.error()).isEqualTo(Errors.NONE);
        int generation = joined.data().generationId();
        SyncGroupResponse synced = sweep.client()
                .send(
                        ApiKeys.SYNC_GROUP,
                        ApiKeys.SYNC_GROUP.latestVersion(),
                        syncRequest(groupId, memberId, generation)
                                .setAssignments(List.of(new SyncGroupRequestAssignment()
                                        .setMemberId(memberId)
                                        .setAssignment(bytes(assignment(topic, 0))))));
        assertThat(Errors.forCode(synced.data().errorCode())).isEqualTo(Errors.NONE);
        return new Member(groupId, memberId, generation);
    }

    static SyncGroupRequestData syncRequest(String groupId, String memberId, int generation) {
        return new SyncGroupRequestData()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setGenerationId(generation)
                .setProtocolType(PROTOCOL_TYPE)
                .setProtocolName(PROTOCOL);
    }

    /** A simple commit (no member, generation -1), as an assign()-mode consumer or a tool makes. */
    static void commit(SweepContext sweep, String groupId, String topic, long... offsets) throws Exception {
        OffsetCommitRequestTopic commit = new OffsetCommitRequestTopic().setName(topic);
        for (int partition = 0; partition < offsets.length; partition++) {
            commit.partitions()
                    .add(new OffsetCommitRequestPartition()
                            .setPartitionIndex(partition)
                            .setCommittedOffset(offsets[partition])
                            .setCommittedLeaderEpoch(0)
                            .setCommittedMetadata("m" + partition));
        }
        OffsetCommitResponse answer = sweep.client()
                .send(
                        ApiKeys.OFFSET_COMMIT,
                        (short) 9,
                        new OffsetCommitRequestData()
                                .setGroupId(groupId)
                                .setGenerationIdOrMemberEpoch(-1)
                                .setMemberId("")
                                .setTopics(List.of(commit)));
        assertThat(answer.errorCounts()).containsOnlyKeys(Errors.NONE);
    }

    /** The committed offset of each partition of {@code topic}, -1 where none (newest OffsetFetch). */
    static List<Long> committed(SweepContext sweep, String groupId, String topic, int partitions) throws Exception {
        OffsetFetchRequestData.OffsetFetchRequestTopics asked =
                new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(topic);
        for (int partition = 0; partition < partitions; partition++) {
            asked.partitionIndexes().add(partition);
        }
        OffsetFetchResponse answer = sweep.client()
                .send(
                        ApiKeys.OFFSET_FETCH,
                        (short) 9,
                        new OffsetFetchRequestData()
                                .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                                        .setGroupId(groupId)
                                        .setTopics(List.of(asked)))));
        OffsetFetchResponseGroup group = answer.data().groups().get(0);
        assertThat(Errors.forCode(group.errorCode())).isEqualTo(Errors.NONE);
        List<Long> offsets = new java.util.ArrayList<>();
        for (OffsetFetchResponseTopics t : group.topics()) {
            for (OffsetFetchResponsePartitions p : t.partitions()) {
                offsets.add(p.committedOffset());
            }
        }
        return offsets;
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
