package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.BuildFiles;
import io.varve.it.support.ChildJvm;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.NodeProcess;
import io.varve.storage.log.LogDirectory;
import io.varve.storage.testing.KafkaDumpLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -9} of a node in a child JVM while an idempotent producer with {@code acks=all} keeps
 * sending: a new node on the same data directory serves every acknowledged record at its
 * acknowledged offset, the partitions read cleanly without gaps, producing continues, and Apache
 * Kafka's own {@code kafka-dump-log} finds every batch of the recovered segments valid.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashIT {
    private static final Logger log = LoggerFactory.getLogger(CrashIT.class);
    private static final String TOPIC = "crash";
    private static final int PARTITIONS = 2;
    private static final String LATE_TOPIC = "created-just-before-the-kill";
    private static final int KILL_AFTER_ACKS = 3_000;
    private static final Duration PRODUCE_DEADLINE = Duration.ofSeconds(60);
    private static final String PADDING = "p".repeat(100);

    /** Under target/ rather than a temporary directory, so the nodes' logs and data outlive a failure. */
    static Path workDir;

    static NodeProcess node;
    static Uuid topicIdBefore;
    static Uuid lateTopicId;
    /** Acknowledged records: sequence number → offset. */
    static final Map<Integer, Long> acknowledged = new ConcurrentHashMap<>();

    static int sent;
    static int killExitCode;
    static boolean markerAfterKill;

    @BeforeAll
    static void produceKillAndRestart() throws Exception {
        workDir = BuildFiles.itTarget().resolve("CrashIT");
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        node = NodeProcess.start(workDir, 1);
        try (Admin admin = node.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1)))
                    .all()
                    .get();
            topicIdBefore = admin.describeTopics(List.of(TOPIC))
                    .allTopicNames()
                    .get()
                    .get(TOPIC)
                    .topicId();
        }
        try (KafkaProducer<String, String> producer = node.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000))) {
            Instant deadline = Instant.now().plus(PRODUCE_DEADLINE);
            while (acknowledged.size() < KILL_AFTER_ACKS && Instant.now().isBefore(deadline)) {
                int i = sent++;
                producer.send(record(i), (metadata, error) -> {
                    if (error == null) {
                        acknowledged.put(i, metadata.offset());
                    }
                });
            }
            // acknowledged metadata must survive the kill as well as records
            try (Admin admin = node.admin()) {
                admin.createTopics(List.of(new NewTopic(LATE_TOPIC, 1, (short) 1)))
                        .all()
                        .get();
                lateTopicId = admin.describeTopics(List.of(LATE_TOPIC))
                        .allTopicNames()
                        .get()
                        .get(LATE_TOPIC)
                        .topicId();
                killExitCode = node.kill();
            }
            // fails whatever was not acknowledged; nothing can be acknowledged by a dead node
            producer.close(Duration.ofSeconds(1));
        }
        markerAfterKill = Files.exists(node.dataDir().resolve(LogDirectory.CLEAN_SHUTDOWN_FILE));
        log.info("killed node 1 after {} records sent, {} acknowledged", sent, acknowledged.size());
        node = NodeProcess.start(workDir, 2);
    }

    private static ProducerRecord<String, String> record(int i) {
        return new ProducerRecord<>(TOPIC, i % PARTITIONS, key(i), value(i));
    }

    private static String key(int i) {
        return "k" + i;
    }

    private static String value(int i) {
        return "v" + i + "-" + PADDING;
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    @Order(1)
    void theNodeWasKilledWithSigkillWithoutACleanShutdown() {
        assertThat(acknowledged).as("acknowledged before the kill").hasSizeGreaterThanOrEqualTo(KILL_AFTER_ACKS);
        assertThat(killExitCode)
                .as("exit code of a JVM killed by SIGKILL (128 + 9)")
                .isEqualTo(137);
        assertThat(markerAfterKill).as("clean-shutdown marker after kill -9").isFalse();
    }

    @Test
    @Order(2)
    void acknowledgedTopicsSurviveWithTheirIds() throws Exception {
        try (Admin admin = node.admin()) {
            assertThat(admin.listTopics().names().get()).containsExactlyInAnyOrder(TOPIC, LATE_TOPIC);
            Map<String, TopicDescription> topics = admin.describeTopics(List.of(TOPIC, LATE_TOPIC))
                    .allTopicNames()
                    .get();
            assertThat(topics.get(TOPIC).topicId()).isEqualTo(topicIdBefore);
            assertThat(topics.get(LATE_TOPIC).topicId()).isEqualTo(lateTopicId);
        }
    }

    @Test
    @Order(3)
    void everyAcknowledgedRecordIsThereAtItsOffsetWithoutGaps() {
        List<List<ConsumerRecord<String, String>>> partitions = readAll();
        for (int p = 0; p < PARTITIONS; p++) {
            List<ConsumerRecord<String, String>> records = partitions.get(p);
            for (int k = 0; k < records.size(); k++) {
                // the producer is idempotent and sends partition p the records p, p+2, p+4, … in order
                int i = k * PARTITIONS + p;
                assertThat(records.get(k).offset()).isEqualTo(k);
                assertThat(records.get(k).key()).isEqualTo(key(i));
                assertThat(records.get(k).value()).isEqualTo(value(i));
            }
        }
        acknowledged.forEach((i, offset) -> {
            assertThat(offset).as("acknowledged offset of record %d", i).isEqualTo(i / PARTITIONS);
            assertThat(partitions.get(i % PARTITIONS).size())
                    .as("records in partition %d, which acknowledged offset %d", i % PARTITIONS, offset)
                    .isGreaterThan((int) (long) offset);
        });
        int recovered = partitions.stream().mapToInt(List::size).sum();
        log.info("recovered {} records: {} sent, {} acknowledged", recovered, sent, acknowledged.size());
        assertThat(recovered).isBetween(acknowledged.size(), sent);
    }

    @Test
    @Order(4)
    void producingContinuesAtTheRecoveredLogEndOffset() throws Exception {
        List<List<ConsumerRecord<String, String>>> before = readAll();
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        try (KafkaProducer<String, String> producer = node.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int n = 0; n < 10; n++) {
                    futures.add(producer.send(new ProducerRecord<>(TOPIC, p, "after-" + n, "restart-" + n)));
                }
            }
            for (int j = 0; j < futures.size(); j++) {
                RecordMetadata m = futures.get(j).get();
                assertThat(m.offset()).isEqualTo(before.get(m.partition()).size() + j % 10);
            }
        }
        List<List<ConsumerRecord<String, String>>> after = readAll();
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(after.get(p)).hasSize(before.get(p).size() + 10);
            assertThat(after.get(p).get(after.get(p).size() - 1).value()).isEqualTo("restart-9");
        }
    }

    @Test
    @Order(5)
    void kafkaDumpLogFindsEveryRecoveredBatchValid() throws Exception {
        List<List<ConsumerRecord<String, String>>> served = readAll();
        node.stop();
        assertThat(node.dataDir().resolve(LogDirectory.CLEAN_SHUTDOWN_FILE))
                .as("clean-shutdown marker after SIGTERM")
                .exists();
        for (int p = 0; p < PARTITIONS; p++) {
            ChildJvm.Result dump = KafkaTools.run(
                    KafkaTools.DUMP_LOG,
                    "--deep-iteration",
                    "--print-data-log",
                    "--files",
                    segments(node.dataDir().resolve(TOPIC + "-" + p)));
            assertThat(dump.exitCode()).as(dump.toString()).isZero();
            assertThat(dump.stdout()).doesNotContain("isvalid: false").doesNotContain("invalid");
            assertThat(dump.stdout()).contains("isvalid: true");
            List<String> expected = served.get(p).stream()
                    .map(r -> r.offset() + ":" + r.value())
                    .toList();
            assertThat(KafkaDumpLog.records(dump.stdout())).containsExactlyElementsOf(expected);
        }
    }

    /** Every record of every partition, from the log start to the log end offset. */
    private static List<List<ConsumerRecord<String, String>>> readAll() {
        List<List<ConsumerRecord<String, String>>> result = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = node.consumer()) {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(TOPIC, p);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                List<ConsumerRecord<String, String>> records = new ArrayList<>();
                Instant deadline = Instant.now().plusSeconds(30);
                while (consumer.position(tp) < end && Instant.now().isBefore(deadline)) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
                assertThat(consumer.position(tp)).as("position in %s", tp).isEqualTo(end);
                result.add(records);
            }
        }
        return result;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    private static String segments(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.toString().endsWith(".log"))
                    .sorted()
                    .map(Path::toString)
                    .collect(Collectors.joining(","));
        }
    }
}
