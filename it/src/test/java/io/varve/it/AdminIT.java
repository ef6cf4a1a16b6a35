package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.varve.it.support.Clients;
import io.varve.it.support.Polls;
import io.varve.it.support.RawKafkaConnection;
import io.varve.it.support.VarveCluster;
import io.varve.storage.testing.Conditions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.ApiError;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every admin API the single-node broker serves, driven by kafka-clients' 4.4 {@code Admin} (and a
 * raw request for the legacy AlterConfigs it no longer offers), with Kafka 4.x's answers as the
 * specification. One node for the whole class; each test uses its own topics.
 */
class AdminIT {
    private static final String CLUSTER_ID = "QWRtaW5JVC1jbHVzdGVyMQ";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    static VarveCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = VarveCluster.start(dataDir, Map.of("varve.controller.cluster-id", CLUSTER_ID));
        admin = Clients.admin(cluster);
    }

    @AfterAll
    static void stop() {
        admin.close();
        cluster.close();
    }

    @Test
    void createdTopicReportsItsIdAndConfigsAndIsDescribedByNameAndById() throws Exception {
        String topic = "created";
        CreateTopicsResult result = admin.createTopics(
                List.of(new NewTopic(topic, 3, (short) 1).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000"))));
        result.all().get();

        Uuid topicId = result.topicId(topic).get();
        assertThat(topicId).isNotIn(Uuid.ZERO_UUID, null);
        assertThat(result.numPartitions(topic).get()).isEqualTo(3);
        assertThat(result.replicationFactor(topic).get()).isEqualTo(1);
        ConfigEntry retention = result.config(topic).get().get(TopicConfig.RETENTION_MS_CONFIG);
        assertThat(retention.value()).isEqualTo("3600000");
        assertThat(retention.source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(result.config(topic)
                        .get()
                        .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                        .value())
                .isEqualTo("delete");

        TopicDescription byName = admin.describeTopics(TopicCollection.ofTopicNames(List.of(topic)))
                .allTopicNames()
                .get()
                .get(topic);
        TopicDescription byId = admin.describeTopics(TopicCollection.ofTopicIds(List.of(topicId)))
                .allTopicIds()
                .get()
                .get(topicId);
        for (TopicDescription description : List.of(byName, byId)) {
            assertThat(description.name()).isEqualTo(topic);
            assertThat(description.topicId()).isEqualTo(topicId);
            assertThat(description.isInternal()).isFalse();
            assertThat(description.partitions())
                    .extracting(TopicPartitionInfo::partition)
                    .containsExactly(0, 1, 2);
            for (TopicPartitionInfo partition : description.partitions()) {
                assertThat(partition.leader().id()).isEqualTo(1);
                assertThat(partition.replicas()).extracting(Node::id).containsExactly(1);
                assertThat(partition.isr()).extracting(Node::id).containsExactly(1);
            }
        }
    }

    @Test
    void describeTopicsPagesThroughPartitionsAndReportsUnknownTopicsApart() throws Exception {
        String topic = "paged";
        admin.createTopics(List.of(new NewTopic(topic, 5, (short) 1))).all().get();

        // Kafka 4.x's Admin describes topics by name with DescribeTopicPartitions, following its cursor.
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(
                        List.of(topic, "paged-unknown"), new DescribeTopicsOptions().partitionSizeLimitPerResponse(2))
                .topicNameValues();

        assertThat(described.get(topic).get().partitions())
                .extracting(TopicPartitionInfo::partition)
                .containsExactly(0, 1, 2, 3, 4);
        assertThatThrownBy(() -> described.get("paged-unknown").get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void oneCreateTopicsRequestAnswersEachTopicOnItsOwn() throws Exception {
        admin.createTopics(List.of(new NewTopic("batch-existing", 1, (short) 1)))
                .all()
                .get();

        CreateTopicsResult result = admin.createTopics(List.of(
                new NewTopic("batch-existing", 1, (short) 1),
                new NewTopic("batch-new", 2, (short) 1),
                new NewTopic("batch-no-partitions", 0, (short) 1)));

        assertThat(result.values().get("batch-new").get()).isNull();
        assertThat(result.numPartitions("batch-new").get()).isEqualTo(2);
        assertFailsWith(
                TopicExistsException.class,
                () -> result.values().get("batch-existing").get());
        assertFailsWith(
                InvalidPartitionsException.class,
                () -> result.values().get("batch-no-partitions").get());
        assertThat(admin.listTopics().names().get())
                .contains("batch-existing", "batch-new")
                .doesNotContain("batch-no-partitions");
    }

    @Test
    void validateOnlyChecksWithoutCreating() throws Exception {
        String topic = "validated-only";
        CreateTopicsResult result = admin.createTopics(
                List.of(new NewTopic(topic, 4, (short) 1)), new CreateTopicsOptions().validateOnly(true));
        result.all().get();
        assertThat(result.numPartitions(topic).get()).isEqualTo(4);

        assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        assertThatThrownBy(() ->
                        admin.describeTopics(List.of(topic)).allTopicNames().get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void explicitReplicaAssignmentsAreHonoured() throws Exception {
        String topic = "assigned";
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1), 1, List.of(1)))))
                .all()
                .get();

        TopicDescription description =
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        assertThat(description.partitions())
                .extracting(TopicPartitionInfo::partition)
                .containsExactly(0, 1);
        assertThat(description.partitions())
                .allSatisfy(p -> assertThat(p.replicas()).extracting(Node::id).containsExactly(1));
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(topic, 1, "k", "v"))
                            .get()
                            .offset())
                    .isZero();
        }
    }

    @Test
    void creatingAnExistingTopicFailsWithTopicExists() throws Exception {
        String topic = "exists";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                        .all()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TopicExistsException.class)
                .hasMessage("Topic 'exists' already exists.");
    }

    @Test
    void aReplicationFactorAboveTheBrokerCountIsInvalid() {
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("too-many-replicas", 1, (short) 3)))
                        .all()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InvalidReplicationFactorException.class)
                .hasMessage("Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot "
                        + "be reached because only 1 broker(s) are registered.");
    }

    @Test
    void aTopicDeletedByNameCanBeCreatedAgainEmpty() throws Exception {
        String topic = "deleted-by-name";
        Uuid firstId = createAndFill(topic, 5);

        admin.deleteTopics(TopicCollection.ofTopicNames(List.of(topic))).all().get();
        awaitGone(topic);

        CreateTopicsResult again = admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
        again.all().get();
        assertThat(again.topicId(topic).get()).isNotEqualTo(firstId);
        TopicPartition tp = new TopicPartition(topic, 0);
        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isZero();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(topic, 0, "k", "after"))
                            .get()
                            .offset())
                    .isZero();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster, Map.of())) {
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            List<ConsumerRecord<String, String>> records = Clients.pollUntil(consumer, 1, DEADLINE);
            assertThat(records)
                    .extracting(ConsumerRecord::offset, ConsumerRecord::value)
                    .containsExactly(tuple(0L, "after"));
        }
    }

    @Test
    void aTopicIsDeletedById() throws Exception {
        String topic = "deleted-by-id";
        Uuid topicId = createAndFill(topic, 2);

        admin.deleteTopics(TopicCollection.ofTopicIds(List.of(topicId))).all().get();
        awaitGone(topic);

        assertThatThrownBy(() -> admin.describeTopics(TopicCollection.ofTopicIds(List.of(topicId)))
                        .allTopicIds()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(UnknownTopicIdException.class);
    }

    @Test
    void addedPartitionsAreWritableAtOnce() throws Exception {
        String topic = "grown";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get();

        TopicDescription description =
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        assertThat(description.partitions())
                .extracting(TopicPartitionInfo::partition)
                .containsExactly(0, 1, 2);
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            RecordMetadata written =
                    producer.send(new ProducerRecord<>(topic, 2, "k", "v")).get();
            assertThat(written.partition()).isEqualTo(2);
            assertThat(written.offset()).isZero();
        }
        assertThatThrownBy(() -> admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2)))
                        .all()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InvalidPartitionsException.class)
                .hasMessage("Topic currently has 3 partitions, which is higher than the requested 2.");
    }

    @Test
    void topicConfigsAreDescribedWithTheirSourcesAndSynonyms() throws Exception {
        String topic = "described-configs";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                        .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "2048"))))
                .all()
                .get();

        Config config = describe(new ConfigResource(ConfigResource.Type.TOPIC, topic));

        ConfigEntry maxMessageBytes = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        assertThat(maxMessageBytes.value()).isEqualTo("2048");
        assertThat(maxMessageBytes.source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(maxMessageBytes.synonyms())
                .extracting(s -> s.name() + "=" + s.value() + "@" + s.source())
                .containsExactly(
                        "max.message.bytes=2048@DYNAMIC_TOPIC_CONFIG", "message.max.bytes=1048588@DEFAULT_CONFIG");
        ConfigEntry segmentBytes = config.get(TopicConfig.SEGMENT_BYTES_CONFIG);
        assertThat(segmentBytes.value()).isEqualTo("1073741824");
        assertThat(segmentBytes.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(segmentBytes.synonyms())
                .extracting(s -> s.name() + "=" + s.value() + "@" + s.source())
                .containsExactly("log.segment.bytes=1073741824@DEFAULT_CONFIG");
        assertThat(segmentBytes.type()).isEqualTo(ConfigEntry.ConfigType.INT);
    }

    @Test
    void brokerConfigsAreDescribed() throws Exception {
        Config config = describe(new ConfigResource(ConfigResource.Type.BROKER, "1"));

        assertThat(config.get("node.id").value()).isEqualTo("1");
        assertThat(config.get("log.dirs").value()).isEqualTo(dataDir.toString());
        assertThat(config.get("log.segment.bytes").value()).isEqualTo("1073741824");
        assertThat(config.get("log.segment.bytes").source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(config.get("auto.leader.rebalance.enable").value()).isEqualTo("true");
        assertThat(config.get("leader.imbalance.check.interval.seconds").value())
                .isEqualTo("300");
    }

    @Test
    void aDynamicClusterDefaultReachesTopicsWithoutAnOverride() throws Exception {
        String topic = "cluster-default";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        ConfigResource topicResource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            admin.incrementalAlterConfigs(Map.of(
                            clusterDefault,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("log.retention.ms", "900000000"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get();

            ConfigEntry retention = describe(topicResource).get(TopicConfig.RETENTION_MS_CONFIG);
            assertThat(retention.value()).isEqualTo("900000000");
            assertThat(retention.source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        } finally {
            admin.incrementalAlterConfigs(Map.of(
                            clusterDefault,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("log.retention.ms", null), AlterConfigOp.OpType.DELETE))))
                    .all()
                    .get();
        }
        ConfigEntry retention = describe(topicResource).get(TopicConfig.RETENTION_MS_CONFIG);
        assertThat(retention.value()).isEqualTo("604800000");
        assertThat(retention.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void incrementalAlterConfigsSetsDeletesAndAppends() throws Exception {
        String topic = "altered-incrementally";
        admin.createTopics(List.of(
                        new NewTopic(topic, 1, (short) 1).configs(Map.of(TopicConfig.SEGMENT_MS_CONFIG, "7200000"))))
                .all()
                .get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

        admin.incrementalAlterConfigs(Map.of(
                        resource,
                        List.of(
                                new AlterConfigOp(
                                        new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "120000"),
                                        AlterConfigOp.OpType.SET),
                                new AlterConfigOp(
                                        new ConfigEntry(TopicConfig.SEGMENT_MS_CONFIG, null),
                                        AlterConfigOp.OpType.DELETE),
                                new AlterConfigOp(
                                        new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"),
                                        AlterConfigOp.OpType.APPEND))))
                .all()
                .get();

        Config config = describe(resource);
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("120000");
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get(TopicConfig.SEGMENT_MS_CONFIG).value()).isEqualTo("604800000");
        assertThat(config.get(TopicConfig.SEGMENT_MS_CONFIG).source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("delete,compact");
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    @Test
    void legacyAlterConfigsReplacesAllOverrides() throws Exception {
        String topic = "altered-legacy";
        admin.createTopics(List.of(
                        new NewTopic(topic, 1, (short) 1).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "120000"))))
                .all()
                .get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

        AlterConfigsRequest request = new AlterConfigsRequest.Builder(
                        Map.of(
                                resource,
                                new AlterConfigsRequest.Config(List.of(new AlterConfigsRequest.ConfigEntry(
                                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "4096")))),
                        false)
                .build();
        try (RawKafkaConnection connection = RawKafkaConnection.open(cluster)) {
            AlterConfigsResponse response = connection.send(request);
            ApiError error = response.errors().get(resource);
            assertThat(error.error()).isEqualTo(Errors.NONE);
        }

        Config config = describe(resource);
        assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()).isEqualTo("4096");
        assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).source())
                .isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("604800000");
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void deleteRecordsMovesTheLowWatermarkAndReadsBelowItAreOutOfRange() throws Exception {
        String topic = "truncated-head";
        createAndFill(topic, 10);
        TopicPartition tp = new TopicPartition(topic, 0);

        long lowWatermark = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4)))
                .lowWatermarks()
                .get(tp)
                .get()
                .lowWatermark();

        assertThat(lowWatermark).isEqualTo(4);
        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isEqualTo(4);
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isEqualTo(10);
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(cluster, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            consumer.assign(Set.of(tp));
            consumer.seek(tp, 4);
            assertThat(Clients.pollUntil(consumer, 6, DEADLINE))
                    .extracting(ConsumerRecord::offset)
                    .containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
            consumer.seek(tp, 2);
            OffsetOutOfRangeException outOfRange =
                    Polls.pollUntilThrown(consumer, OffsetOutOfRangeException.class, DEADLINE);
            assertThat(outOfRange.offsetOutOfRangePartitions()).isEqualTo(Map.of(tp, 2L));
        }
    }

    @Test
    void deleteRecordsUpToTheHighWatermarkEmptiesThePartitionAndBeyondItIsOutOfRange() throws Exception {
        String topic = "truncated-whole";
        createAndFill(topic, 3);
        TopicPartition tp = new TopicPartition(topic, 0);

        assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4)))
                        .lowWatermarks()
                        .get(tp)
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                // the Admin's exception, not the consumer's of the same simple name
                .isInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class);
        long lowWatermark = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1)))
                .lowWatermarks()
                .get(tp)
                .get()
                .lowWatermark();

        assertThat(lowWatermark).isEqualTo(3);
        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isEqualTo(3);
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isEqualTo(3);
    }

    @Test
    void unknownTopicsAreReportedByEveryTopicApi() {
        String topic = "no-such-topic";
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        assertFailsWith(UnknownTopicOrPartitionException.class, () -> admin.deleteTopics(
                        TopicCollection.ofTopicNames(List.of(topic)))
                .all()
                .get());
        assertFailsWith(UnknownTopicIdException.class, () -> admin.deleteTopics(
                        TopicCollection.ofTopicIds(List.of(Uuid.randomUuid())))
                .all()
                .get());
        assertFailsWith(UnknownTopicOrPartitionException.class, () -> admin.createPartitions(
                        Map.of(topic, NewPartitions.increaseTo(2)))
                .all()
                .get());
        assertFailsWith(
                UnknownTopicOrPartitionException.class,
                () -> admin.describeConfigs(List.of(resource)).all().get());
        assertFailsWith(UnknownTopicOrPartitionException.class, () -> admin.incrementalAlterConfigs(Map.of(
                        resource,
                        List.of(new AlterConfigOp(
                                new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "1000"), AlterConfigOp.OpType.SET))))
                .all()
                .get());
    }

    @Test
    void invalidConfigChangesAreRejectedAndChangeNothing() throws Exception {
        String topic = "guarded-configs";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

        assertFailsWith(InvalidConfigurationException.class, () -> admin.incrementalAlterConfigs(Map.of(
                        resource,
                        List.of(
                                new AlterConfigOp(
                                        new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "120000"),
                                        AlterConfigOp.OpType.SET),
                                new AlterConfigOp(
                                        new ConfigEntry(TopicConfig.SEGMENT_BYTES_CONFIG, "1000"),
                                        AlterConfigOp.OpType.SET))))
                .all()
                .get());
        assertFailsWith(InvalidConfigurationException.class, () -> admin.incrementalAlterConfigs(Map.of(
                        resource,
                        List.of(new AlterConfigOp(
                                new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "5"), AlterConfigOp.OpType.APPEND))))
                .all()
                .get());

        Config config = describe(resource);
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(config.get(TopicConfig.SEGMENT_BYTES_CONFIG).source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void describeProducersIsEmptyWithoutIdempotentWriters() throws Exception {
        String topic = "plain-writes";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        // kafka-clients 4.x producers are idempotent by default
        try (KafkaProducer<String, String> producer =
                Clients.producer(cluster, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "v")).get();
        }
        TopicPartition tp = new TopicPartition(topic, 0);

        assertThat(admin.describeProducers(List.of(tp))
                        .partitionResult(tp)
                        .get()
                        .activeProducers())
                .isEmpty();
    }

    @Test
    void describeClusterNamesThisNodeAsBrokerAndController() throws Exception {
        DescribeClusterResult result = admin.describeCluster();

        assertThat(result.clusterId().get()).isEqualTo(CLUSTER_ID);
        assertThat(result.controller().get().id()).isEqualTo(1);
        assertThat(result.nodes().get())
                .extracting(n -> n.id() + "@" + n.host() + ":" + n.port())
                .containsExactly("1@" + cluster.bootstrapServers());
    }

    @Test
    void describeLogDirsReportsPartitionSizes() throws Exception {
        String topic = "sized";
        createAndFill(topic, 20);

        Map<String, LogDirDescription> dirs =
                admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);

        assertThat(dirs).containsOnlyKeys(dataDir.toString());
        LogDirDescription dir = dirs.get(dataDir.toString());
        assertThat(dir.error()).isNull();
        assertThat(dir.replicaInfos().get(new TopicPartition(topic, 0)).size()).isPositive();
        assertThat(dir.totalBytes()).isNotEmpty();
    }

    @Test
    void describeProducersShowsTheIdempotentWriter() throws Exception {
        String topic = "produced-idempotently";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        TopicPartition tp = new TopicPartition(topic, 0);
        long lastTimestamp = Instant.now().toEpochMilli();
        try (KafkaProducer<String, String> producer =
                Clients.producer(cluster, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, lastTimestamp - 4 + i, "k" + i, "v" + i))
                        .get();
            }
        }

        List<ProducerState> producers =
                admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers();

        assertThat(producers).hasSize(1);
        ProducerState state = producers.get(0);
        assertThat(state.producerId()).isNotNegative();
        assertThat(state.producerEpoch()).isZero();
        assertThat(state.lastSequence()).isEqualTo(4);
        assertThat(state.lastTimestamp()).isEqualTo(lastTimestamp);
        assertThat(state.currentTransactionStartOffset()).isEmpty();
    }

    @Test
    void listOffsetsFindsEarliestLatestMaxTimestampAndByTimestamp() throws Exception {
        String topic = "timestamps";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        TopicPartition tp = new TopicPartition(topic, 0);
        long base = Instant.now().toEpochMilli() - 60_000;
        long[] timestamps = {base, base + 20_000, base + 10_000, base + 15_000};
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            for (int i = 0; i < timestamps.length; i++) {
                producer.send(new ProducerRecord<>(topic, 0, timestamps[i], "k" + i, "v" + i))
                        .get();
            }
        }

        assertThat(listOffset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(listOffset(tp, OffsetSpec.latest()).offset()).isEqualTo(4);
        ListOffsetsResultInfo max = listOffset(tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(1);
        assertThat(max.timestamp()).isEqualTo(base + 20_000);
        ListOffsetsResultInfo atBase = listOffset(tp, OffsetSpec.forTimestamp(base - 1));
        assertThat(atBase.offset()).isZero();
        assertThat(atBase.timestamp()).isEqualTo(base);
        ListOffsetsResultInfo afterBase = listOffset(tp, OffsetSpec.forTimestamp(base + 1));
        assertThat(afterBase.offset()).isEqualTo(1);
        assertThat(afterBase.timestamp()).isEqualTo(base + 20_000);
        ListOffsetsResultInfo beyond = listOffset(tp, OffsetSpec.forTimestamp(base + 20_001));
        assertThat(beyond.offset()).isEqualTo(-1);
    }

    @Test
    void listOffsetsByTimestampLooksInsideABatch() throws Exception {
        String topic = "timestamps-batched";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        TopicPartition tp = new TopicPartition(topic, 0);
        long base = Instant.now().toEpochMilli() - 60_000;
        long[] timestamps = {base, base + 20_000, base + 10_000, base + 15_000};
        try (KafkaProducer<String, String> producer = Clients.producer(
                cluster,
                Map.of(
                        // flush() sends the one batch; the linger only keeps it from leaving earlier
                        ProducerConfig.LINGER_MS_CONFIG, 10_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < timestamps.length; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, timestamps[i], "k" + i, "v" + i)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
            assertThat(producer.metrics().entrySet().stream()
                            .filter(e -> e.getKey().group().equals("producer-metrics")
                                    && e.getKey().name().equals("records-per-request-avg"))
                            .map(e -> ((Number) e.getValue().metricValue()).doubleValue())
                            .findFirst())
                    .as("the four records went in one request")
                    .contains(4.0);
        }

        ListOffsetsResultInfo max = listOffset(tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(1);
        assertThat(max.timestamp()).isEqualTo(base + 20_000);
        ListOffsetsResultInfo afterBase = listOffset(tp, OffsetSpec.forTimestamp(base + 1));
        assertThat(afterBase.offset()).isEqualTo(1);
        assertThat(afterBase.timestamp()).isEqualTo(base + 20_000);
        ListOffsetsResultInfo beyond = listOffset(tp, OffsetSpec.forTimestamp(base + 20_001));
        assertThat(beyond.offset()).isEqualTo(-1);
    }

    private static void assertFailsWith(Class<? extends Throwable> expected, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(ExecutionException.class).cause().isInstanceOf(expected);
    }

    private static Uuid createAndFill(String topic, int records) throws Exception {
        CreateTopicsResult created = admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)));
        created.all().get();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
            producer.flush();
        }
        return created.topicId(topic).get();
    }

    private static void awaitGone(String topic) throws InterruptedException {
        assertThat(Conditions.awaitTrue(
                        DEADLINE, () -> !admin.listTopics().names().get().contains(topic)))
                .as("topic %s disappears from the metadata", topic)
                .isTrue();
    }

    private static ListOffsetsResultInfo listOffset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get();
    }

    private static Config describe(ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
                .all()
                .get()
                .get(resource);
    }
}
