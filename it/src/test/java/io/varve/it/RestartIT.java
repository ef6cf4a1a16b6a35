package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveCluster;
import io.varve.storage.log.LogDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean stop and a start on the same data directory keep everything: topics with their ids,
 * partitions and config overrides, every record at its offset, the log start offsets left by
 * DeleteRecords, and the idempotent producers' state. The data are written once before the restart
 * ({@link #writeAndRestart()}); the tests compare what the restarted node serves with what the first
 * one acknowledged, and the last ones produce more.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartIT {
    private static final String ORDERS = "orders";
    private static final String BIG = "big";
    private static final String IDEM = "idem";
    private static final int BIG_RECORDS = 2_600;
    private static final long BIG_DELETED_BELOW = 1_500;
    private static final long IDEM_DELETED_BELOW = 10;
    private static final String PAYLOAD = "x".repeat(1_000);

    @TempDir
    static Path dataDir;

    static VarveCluster cluster;
    static Admin admin;
    static KafkaProducer<String, String> idempotent;

    /** Every acknowledged record by partition: offset → "key=value". */
    static final Map<TopicPartition, TreeMap<Long, String>> acknowledged = new HashMap<>();

    static Map<String, TopicDescription> topicsBefore;
    static Map<String, Map<String, String>> overridesBefore;
    static Map<TopicPartition, Long> logStartBefore;
    static Map<TopicPartition, Long> logEndBefore;
    static Map<TopicPartition, List<ProducerState>> producersBefore;
    static boolean markerWhileRunning;
    static boolean markerWhileStopped;
    static boolean markerAfterStart;

    @BeforeAll
    static void writeAndRestart() throws Exception {
        cluster = VarveCluster.start(dataDir);
        admin = Clients.admin(cluster);
        admin.createTopics(List.of(
                        new NewTopic(ORDERS, 3, (short) 1)
                                .configs(Map.of(
                                        TopicConfig.RETENTION_MS_CONFIG, "86400000",
                                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "500000")),
                        new NewTopic(BIG, 1, (short) 1)
                                .configs(Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(1024 * 1024))),
                        new NewTopic(IDEM, 2, (short) 1)))
                .all()
                .get();
        produceOrdersAndBig();
        idempotent = Clients.producer(
                cluster,
                Map.of(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        "zstd",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5));
        send(idempotent, IDEM, 2, 0, 100, "i");
        admin.deleteRecords(Map.of(
                        new TopicPartition(BIG, 0), RecordsToDelete.beforeOffset(BIG_DELETED_BELOW),
                        new TopicPartition(IDEM, 0), RecordsToDelete.beforeOffset(IDEM_DELETED_BELOW)))
                .all()
                .get();

        topicsBefore = describeTopics();
        overridesBefore = overrides();
        logStartBefore = offsets(OffsetSpec.earliest());
        logEndBefore = offsets(OffsetSpec.latest());
        producersBefore = producers(new TopicPartition(IDEM, 0), new TopicPartition(IDEM, 1));

        Path marker = dataDir.resolve(LogDirectory.CLEAN_SHUTDOWN_FILE);
        markerWhileRunning = Files.exists(marker);
        cluster.stopCleanly();
        markerWhileStopped = Files.exists(marker);
        cluster.startAgainOnSamePort();
        markerAfterStart = Files.exists(marker);
    }

    private static void produceOrdersAndBig() throws Exception {
        try (KafkaProducer<String, String> plain = Clients.producer(
                cluster,
                Map.of(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        false,
                        ProducerConfig.ACKS_CONFIG,
                        "1",
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        "lz4",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5))) {
            send(plain, ORDERS, 3, 0, 300, "o");
        }
        // uncompressed, so 2.6 MB of values fill several 1 MiB segments
        try (KafkaProducer<String, String> plain = Clients.producer(
                cluster, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1"))) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < BIG_RECORDS; i++) {
                String value = i + "-" + PAYLOAD;
                values.add("b" + i + "=" + value);
                futures.add(plain.send(new ProducerRecord<>(BIG, 0, "b" + i, value)));
            }
            collect(futures, values);
        }
    }

    /** Sends {@code count} records round-robin over the partitions and records their offsets. */
    private static void send(
            KafkaProducer<String, String> producer, String topic, int partitions, int from, int count, String prefix)
            throws Exception {
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            values.add(prefix + i + "=v" + i);
            futures.add(producer.send(new ProducerRecord<>(topic, i % partitions, prefix + i, "v" + i)));
        }
        collect(futures, values);
    }

    private static void collect(List<Future<RecordMetadata>> futures, List<String> values) throws Exception {
        for (int i = 0; i < futures.size(); i++) {
            RecordMetadata m = futures.get(i).get();
            acknowledged
                    .computeIfAbsent(new TopicPartition(m.topic(), m.partition()), tp -> new TreeMap<>())
                    .put(m.offset(), values.get(i));
        }
    }

    @AfterAll
    static void stop() {
        if (idempotent != null) {
            idempotent.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void cleanStopLeavesTheMarkerAndTheNextStartConsumesIt() {
        assertThat(markerWhileRunning).as("marker while the node runs").isFalse();
        assertThat(markerWhileStopped).as("marker after a clean stop").isTrue();
        assertThat(markerAfterStart).as("marker after the next start").isFalse();
    }

    @Test
    @Order(2)
    void topicsKeepTheirIdsPartitionsAndConfigOverrides() throws Exception {
        assertThat(admin.listTopics().names().get()).containsExactlyInAnyOrder(ORDERS, BIG, IDEM);
        Map<String, TopicDescription> after = describeTopics();
        for (String topic : List.of(ORDERS, BIG, IDEM)) {
            assertThat(after.get(topic).topicId())
                    .isEqualTo(topicsBefore.get(topic).topicId());
            assertThat(after.get(topic).partitions())
                    .hasSameSizeAs(topicsBefore.get(topic).partitions());
        }
        assertThat(after.get(ORDERS).partitions()).hasSize(3);
        assertThat(overrides())
                .isEqualTo(overridesBefore)
                .isEqualTo(Map.of(
                        ORDERS,
                        Map.of(
                                TopicConfig.RETENTION_MS_CONFIG,
                                "86400000",
                                TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                "500000"),
                        BIG,
                        Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1048576"),
                        IDEM,
                        Map.of()));
    }

    @Test
    @Order(3)
    void logStartAndEndOffsetsSurvive() throws Exception {
        Map<TopicPartition, Long> logStart = offsets(OffsetSpec.earliest());
        assertThat(logStart).isEqualTo(logStartBefore);
        assertThat(logStart)
                .containsEntry(new TopicPartition(BIG, 0), BIG_DELETED_BELOW)
                .containsEntry(new TopicPartition(IDEM, 0), IDEM_DELETED_BELOW)
                .containsEntry(new TopicPartition(IDEM, 1), 0L)
                .containsEntry(new TopicPartition(ORDERS, 2), 0L);
        Map<TopicPartition, Long> logEnd = offsets(OffsetSpec.latest());
        assertThat(logEnd).isEqualTo(logEndBefore);
        assertThat(logEnd)
                .containsEntry(new TopicPartition(BIG, 0), (long) BIG_RECORDS)
                .containsEntry(new TopicPartition(ORDERS, 0), 100L)
                .containsEntry(new TopicPartition(IDEM, 1), 50L);
        try (Stream<Path> files = Files.list(dataDir.resolve(BIG + "-0"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".log")).count())
                    .as("segments of %s-0 after deleting below %d", BIG, BIG_DELETED_BELOW)
                    .isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    @Order(4)
    void everyRecordIsReadBackAtItsOffset() {
        for (TopicPartition tp : acknowledged.keySet()) {
            long logStart = tp.equals(new TopicPartition(BIG, 0))
                    ? BIG_DELETED_BELOW
                    : tp.equals(new TopicPartition(IDEM, 0)) ? IDEM_DELETED_BELOW : 0L;
            List<String> expected = acknowledged.get(tp).tailMap(logStart).entrySet().stream()
                    .map(e -> e.getKey() + ":" + e.getValue())
                    .toList();
            assertThat(readAll(tp, expected.size())).as("records of %s", tp).containsExactlyElementsOf(expected);
        }
    }

    @Test
    @Order(5)
    void idempotentProducerStateSurvives() throws Exception {
        Map<TopicPartition, List<ProducerState>> after =
                producers(new TopicPartition(IDEM, 0), new TopicPartition(IDEM, 1));
        assertThat(after).isEqualTo(producersBefore);
        assertThat(after.get(new TopicPartition(IDEM, 1))).singleElement().satisfies(p -> assertThat(p.lastSequence())
                .isEqualTo(49));
    }

    @Test
    @Order(6)
    void theSameIdempotentProducerContinuesItsSequenceAfterTheRestart() throws Exception {
        long producerId =
                producersBefore.get(new TopicPartition(IDEM, 1)).get(0).producerId();
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 100; i < 110; i++) {
            futures.add(idempotent.send(new ProducerRecord<>(IDEM, 1, "i" + i, "v" + i)));
        }
        List<Long> offsets = new ArrayList<>();
        for (Future<RecordMetadata> f : futures) {
            offsets.add(f.get().offset());
        }
        assertThat(offsets).containsExactly(50L, 51L, 52L, 53L, 54L, 55L, 56L, 57L, 58L, 59L);
        assertThat(producers(new TopicPartition(IDEM, 1)).get(new TopicPartition(IDEM, 1)))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.producerId()).isEqualTo(producerId);
                    assertThat(p.lastSequence()).isEqualTo(59);
                });
    }

    @Test
    @Order(7)
    void aNewProducerAppendsAtTheLogEndOffset() throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(BIG, 0, "after", "restart"))
                            .get()
                            .offset())
                    .isEqualTo(BIG_RECORDS);
            assertThat(producer.send(new ProducerRecord<>(ORDERS, 2, "after", "restart"))
                            .get()
                            .offset())
                    .isEqualTo(100L);
        }
        assertThat(readAll(new TopicPartition(BIG, 0), (int) (BIG_RECORDS - BIG_DELETED_BELOW + 1)))
                .last()
                .isEqualTo(BIG_RECORDS + ":after=restart");
    }

    private static List<String> readAll(TopicPartition tp, int count) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster, Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> records = Clients.pollUntil(consumer, count, Duration.ofSeconds(30));
            return records.stream()
                    .map(r -> r.offset() + ":" + r.key() + "=" + r.value())
                    .toList();
        }
    }

    private static Map<String, TopicDescription> describeTopics() throws Exception {
        return admin.describeTopics(List.of(ORDERS, BIG, IDEM)).allTopicNames().get();
    }

    /** The config overrides of each topic (entries whose source is the topic itself). */
    private static Map<String, Map<String, String>> overrides() throws Exception {
        List<ConfigResource> resources = List.of(ORDERS, BIG, IDEM).stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        Map<String, Map<String, String>> result = new HashMap<>();
        admin.describeConfigs(resources).all().get().forEach((resource, config) -> {
            Map<String, String> set = new HashMap<>();
            for (ConfigEntry entry : config.entries()) {
                if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                    set.put(entry.name(), entry.value());
                }
            }
            result.put(resource.name(), set);
        });
        return result;
    }

    private static Map<TopicPartition, Long> offsets(OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicDescription d : describeTopics().values()) {
            d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), spec));
        }
        Map<TopicPartition, Long> result = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }

    private static Map<TopicPartition, List<ProducerState>> producers(TopicPartition... partitions) throws Exception {
        Collection<TopicPartition> tps = List.of(partitions);
        Map<TopicPartition, List<ProducerState>> result = new HashMap<>();
        admin.describeProducers(tps).all().get().forEach((tp, d) -> result.put(tp, d.activeProducers()));
        return result;
    }
}
