package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.utils.Utils;

/**
 * Metadata v0+: all topics (an empty list at v0, null from v1), named topics, auto-creation (always
 * requested below v4, by flag from v4: UNKNOWN_TOPIC_OR_PARTITION when off, INVALID_TOPIC_EXCEPTION for
 * an illegal name), topic ids from v10 and lookups by id from v12 (UNKNOWN_TOPIC_ID), leader epochs
 * from v7, and the authorized operations Kafka reports without an authorizer (every operation the
 * resource type supports) for topics from v8 and for the cluster in v8–10.
 */
final class MetadataSweep implements VersionScenario {
    static final int TOPIC_OPERATIONS = bits(
            AclOperation.READ,
            AclOperation.WRITE,
            AclOperation.CREATE,
            AclOperation.DESCRIBE,
            AclOperation.DELETE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS);
    static final int CLUSTER_OPERATIONS = bits(
            AclOperation.CREATE,
            AclOperation.CLUSTER_ACTION,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE);

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("metadata", version);
        Uuid topicId = sweep.createTopic(topic, 3);

        MetadataRequestData all = new MetadataRequestData().setTopics(version == 0 ? new ArrayList<>() : null);
        MetadataResponse everything = send(sweep, version, all);
        assertBrokers(sweep, everything, version);
        assertTopic(find(everything, topic), version, topic, topicId, 3);

        String created = name("metadata-auto", version);
        MetadataRequestData named = new MetadataRequestData()
                .setTopics(List.of(
                        new MetadataRequestTopic().setName(topic), new MetadataRequestTopic().setName(created)));
        MetadataResponse answer = send(sweep, version, named);
        assertThat(answer.data().topics())
                .extracting(MetadataResponseTopic::name)
                .containsExactly(topic, created);
        assertTopic(find(answer, topic), version, topic, topicId, 3);
        // Varve answers an auto-created topic once it is ready; Kafka answers UNKNOWN_TOPIC_OR_PARTITION
        // or LEADER_NOT_AVAILABLE while it creates it, and clients ask again, as here
        MetadataResponse[] latest = {answer};
        Conditions.require(Duration.ofSeconds(10), created + " created", () -> {
            latest[0] = send(sweep, version, named);
            return !isBeingCreated(find(latest[0], created));
        });
        assertTopic(find(latest[0], created), version, created, sweep.topicId(created), 1);

        if (version >= 4) {
            onAutoCreationOff(sweep, version);
        }
        MetadataResponse illegal = send(
                sweep,
                version,
                new MetadataRequestData().setTopics(List.of(new MetadataRequestTopic().setName("illegal name!"))));
        assertThat(Errors.forCode(illegal.data().topics().iterator().next().errorCode()))
                .isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        if (version >= 8) {
            onAuthorizedOperations(sweep, version, topic);
        }
        if (version >= 12) {
            onTopicIds(sweep, version, topic, topicId);
        }
    }

    private static void onAutoCreationOff(SweepContext sweep, short version) throws Exception {
        String missing = name("metadata-missing", version);
        MetadataResponse answer = send(
                sweep,
                version,
                new MetadataRequestData()
                        .setAllowAutoTopicCreation(false)
                        .setTopics(List.of(new MetadataRequestTopic().setName(missing))));
        assertThat(Errors.forCode(find(answer, missing).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(sweep.admin().listTopics().names().get()).doesNotContain(missing);
    }

    private static void onAuthorizedOperations(SweepContext sweep, short version, String topic) throws Exception {
        MetadataRequestData request = new MetadataRequestData()
                .setIncludeTopicAuthorizedOperations(true)
                .setTopics(List.of(new MetadataRequestTopic().setName(topic)));
        if (version <= 10) {
            request.setIncludeClusterAuthorizedOperations(true);
        }
        MetadataResponse answer = send(sweep, version, request);
        assertThat(find(answer, topic).topicAuthorizedOperations()).isEqualTo(TOPIC_OPERATIONS);
        assertThat(answer.data().clusterAuthorizedOperations())
                .isEqualTo(version <= 10 ? CLUSTER_OPERATIONS : Integer.MIN_VALUE);

        MetadataResponse without = send(
                sweep,
                version,
                new MetadataRequestData().setTopics(List.of(new MetadataRequestTopic().setName(topic))));
        assertThat(find(without, topic).topicAuthorizedOperations()).isEqualTo(Integer.MIN_VALUE);
    }

    private static void onTopicIds(SweepContext sweep, short version, String topic, Uuid topicId) throws Exception {
        Uuid unknown = Uuid.randomUuid();
        MetadataResponse answer = send(
                sweep,
                version,
                new MetadataRequestData()
                        .setTopics(List.of(
                                new MetadataRequestTopic().setName(null).setTopicId(topicId),
                                new MetadataRequestTopic().setName(null).setTopicId(unknown))));
        assertThat(answer.data().topics()).hasSize(2);
        assertTopic(findById(answer, topicId), version, topic, topicId, 3);
        assertThat(Errors.forCode(findById(answer, unknown).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
    }

    private static boolean isBeingCreated(MetadataResponseTopic topic) {
        return topic.errorCode() == Errors.LEADER_NOT_AVAILABLE.code()
                || topic.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code()
                || topic.partitions().stream().anyMatch(p -> p.leaderId() < 0);
    }

    private static MetadataResponse send(SweepContext sweep, short version, MetadataRequestData request)
            throws Exception {
        return sweep.client().send(ApiKeys.METADATA, version, request);
    }

    private static void assertBrokers(SweepContext sweep, MetadataResponse answer, short version) {
        List<MetadataResponseBroker> brokers = new ArrayList<>(answer.data().brokers());
        assertThat(brokers).hasSize(1);
        assertThat(brokers.get(0).nodeId()).isEqualTo(sweep.nodeId());
        assertThat(brokers.get(0).host() + ":" + brokers.get(0).port()).isEqualTo(sweep.bootstrapServers());
        assertThat(answer.data().controllerId()).isEqualTo(version >= 1 ? sweep.nodeId() : -1);
        if (version >= 2) {
            assertThat(answer.data().clusterId()).isNotBlank();
        } else {
            assertThat(answer.data().clusterId()).isNull();
        }
    }

    private static MetadataResponseTopic find(MetadataResponse answer, String topic) {
        for (MetadataResponseTopic candidate : answer.data().topics()) {
            if (topic.equals(candidate.name())) {
                return candidate;
            }
        }
        throw new AssertionError("no topic " + topic + " in " + answer.data());
    }

    private static MetadataResponseTopic findById(MetadataResponse answer, Uuid topicId) {
        for (MetadataResponseTopic candidate : answer.data().topics()) {
            if (topicId.equals(candidate.topicId())) {
                return candidate;
            }
        }
        throw new AssertionError("no topic id " + topicId + " in " + answer.data());
    }

    private static void assertTopic(
            MetadataResponseTopic answer, short version, String topic, Uuid topicId, int partitions) {
        assertThat(Errors.forCode(answer.errorCode())).as("%s", answer).isEqualTo(Errors.NONE);
        assertThat(answer.name()).isEqualTo(topic);
        assertThat(answer.topicId()).isEqualTo(version >= 10 ? topicId : Uuid.ZERO_UUID);
        assertThat(answer.isInternal()).isFalse();
        assertThat(answer.partitions()).hasSize(partitions);
        for (MetadataResponsePartition partition : answer.partitions()) {
            assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NONE);
            assertThat(partition.leaderId()).isEqualTo(1);
            assertThat(partition.leaderEpoch()).isEqualTo(version >= 7 ? 0 : -1);
            assertThat(partition.replicaNodes()).containsExactly(1);
            assertThat(partition.isrNodes()).containsExactly(1);
        }
    }

    private static int bits(AclOperation... operations) {
        Set<Byte> codes = new HashSet<>();
        for (AclOperation operation : operations) {
            codes.add(operation.code());
        }
        return Utils.to32BitField(codes);
    }
}
