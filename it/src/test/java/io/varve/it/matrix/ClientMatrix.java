package io.varve.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client matrix: every scenario of issue 10 for one client, against one in-process node per
 * client class. A subclass names the client ({@link #probe()}); each scenario runs the client's own
 * program and compares what it printed, line for line, with what Kafka's semantics dictate. Records
 * a client wrote are read back with kafka-clients 4.4 and their batches looked at on disk (codec,
 * producer id); records a client reads were written by kafka-clients 4.4 with keys, headers and
 * timestamps. Every test creates its own topic, so the order of the tests does not matter.
 */
abstract class ClientMatrix {
    /** Records a scenario writes or reads: small, the matrix checks behaviour, not throughput. */
    static final int COUNT = 10;

    /** The first timestamp of the records the consume scenarios read (one second apart). */
    static final long BASE_TIMESTAMP = 1_700_000_000_000L;

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension(Map.of(
            // unknown topics must stay unknown for the error scenario, as with Kafka's
            // auto.create.topics.enable=false; every scenario creates its topics first
            "varve.transport.auto-create-topics",
            false,
            // one member per group: no reason to wait for others
            "varve.group.initial-rebalance-delay",
            "0s"));

    /** The client this class drives. */
    abstract ClientProbe probe();

    private String bootstrap() {
        return node.cluster().bootstrapServers();
    }

    @Test
    void theClientIsThePinnedVersion() throws Exception {
        ProbeRun.Result result = probe().version();
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).as(result.toString()).containsExactly(probe().expectedVersion());
    }

    @TestFactory
    Stream<DynamicTest> producesEveryCodecWithKeysAndHeaders() {
        return probe().codecs().stream().map(codec -> DynamicTest.dynamicTest(codec, () -> producesWith(codec)));
    }

    private void producesWith(String codec) throws Exception {
        String topic = "produce-" + codec;
        createTopic(topic, 1);
        boolean idempotent = probe().idempotence();
        ProbeRun.Result result = probe().produce(bootstrap(), topic, codec, COUNT, idempotent);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> sent =
                IntStream.range(0, COUNT).mapToObj(i -> "sent 0 " + i).toList();
        assertThat(result.lines())
                .as(result.toString())
                .containsExactlyElementsOf(reports(ClientProbe.Report.DELIVERIES) ? sent : List.of());

        List<String> written = IntStream.range(0, COUNT)
                .mapToObj(i -> "record 0 " + i + " k" + i + " " + codec + "-" + i + "-" + JavaClientProbe.PADDING
                        + " client=" + probe().name() + ",codec=" + codec)
                .toList();
        assertThat(readWithJava(topic, COUNT))
                .as("read back by kafka-clients 4.4")
                .containsExactlyElementsOf(written);
        List<SegmentBatches.Batch> batches = SegmentBatches.of(node.cluster().dataDir(), topic, 0);
        assertThat(batches).as("batches on disk").isNotEmpty().allSatisfy(batch -> {
            assertThat(batch.compression()).isEqualTo(probe().expectedBatchCodec(codec));
            assertThat(batch.idempotent()).isEqualTo(idempotent);
        });
        if (idempotent) {
            assertThat(batches).extracting(SegmentBatches.Batch::baseSequence).startsWith(0);
        }

        ProbeRun.Result readBack = consume(topic, "beginning", COUNT);
        assertThat(readBack.lines()).as(readBack.toString()).containsExactlyElementsOf(written);
    }

    @Test
    void consumesFromTheBeginning() throws Exception {
        String topic = fill("from-beginning", "gzip");
        ProbeRun.Result result = consume(topic, "beginning", COUNT);
        assertThat(result.lines()).as(result.toString()).containsExactlyElementsOf(javaRecords(0, COUNT));
    }

    @Test
    void consumesFromAGivenOffset() throws Exception {
        String topic = fill("from-offset", "snappy");
        ProbeRun.Result result = consume(topic, "offset:7", 3);
        assertThat(result.lines()).as(result.toString()).containsExactlyElementsOf(javaRecords(7, COUNT));
    }

    @Test
    void consumesFromATimestamp() throws Exception {
        String topic = fill("from-timestamp", "lz4");
        // between the records at offsets 4 and 5: the first record at or after it is offset 5
        long timestamp = BASE_TIMESTAMP + 4_500;
        ProbeRun.Result result = consume(topic, "time:" + timestamp, 5);
        List<String> expected = new ArrayList<>();
        if (reports(ClientProbe.Report.OFFSET_FOR_TIME)) {
            expected.add("offset-for-time " + timestamp + " 5");
        }
        expected.addAll(javaRecords(5, COUNT));
        assertThat(result.lines()).as(result.toString()).containsExactlyElementsOf(expected);
    }

    @Test
    void consumesFromTheEndOnlyWhatIsWrittenAfterwards() throws Exception {
        String topic = fill("from-end", "zstd");
        try (ProbeRun consumer = probe().startConsume(bootstrap(), topic, "end", 2)) {
            assertThat(Conditions.awaitTrue(
                            DEADLINE, () -> consumer.stdoutSoFar().lines().anyMatch("ready"::equals)))
                    .as("the consumer reports it is positioned")
                    .isTrue();
            try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
                for (int i = COUNT; i < COUNT + 2; i++) {
                    producer.send(javaRecord(topic, i)).get();
                }
            }
            ProbeRun.Result result = consumer.await(ClientProbe.TIMEOUT);
            assertThat(result.exitCode()).as(result.toString()).isZero();
            List<String> expected = new ArrayList<>();
            if (reports(ClientProbe.Report.POSITION)) {
                expected.add("position 0 " + COUNT);
            }
            expected.add("ready");
            expected.addAll(javaRecords(COUNT, COUNT + 2));
            assertThat(result.lines()).as(result.toString()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void reportsTheLowAndHighWatermarks() throws Exception {
        String topic = fill("watermarks", "none");
        TopicPartition tp = new TopicPartition(topic, 0);
        node.admin()
                .deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4)))
                .all()
                .get();
        ProbeRun.Result result = probe().watermarks(bootstrap(), topic);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).as(result.toString()).containsExactly("watermarks 0 4 " + COUNT);
    }

    @Test
    void aGroupCommitsAndARestartedMemberResumesFromTheCommit() throws Exception {
        String topic = fill("group", "gzip");
        String group = "matrix-group";
        int first = 4;

        ProbeRun.Result before = probe().group(bootstrap(), topic, group, first);
        assertThat(before.exitCode()).as(before.toString()).isZero();
        assertThat(before.lines()).as(before.toString()).containsExactlyElementsOf(groupRun(0, first));
        assertThat(committed(group, topic)).isEqualTo(first);

        ProbeRun.Result after = probe().group(bootstrap(), topic, group, COUNT - first);
        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(after.lines()).as(after.toString()).containsExactlyElementsOf(groupRun(first, COUNT));
        assertThat(committed(group, topic)).isEqualTo(COUNT);
    }

    private List<String> groupRun(int from, int to) {
        List<String> expected = new ArrayList<>(javaRecords(from, to));
        if (reports(ClientProbe.Report.COMMITTED)) {
            expected.add("committed 0 " + to);
        }
        return expected;
    }

    @Test
    void createsDescribesAndDeletesATopic() throws Exception {
        String topic = "administered";
        if (!reports(ClientProbe.Report.ADMIN)) {
            // no admin API (kcat): the client describes a topic created here
            createTopic(topic, 3);
        }
        ProbeRun.Result result = probe().admin(bootstrap(), topic, 3);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String described = "described " + topic + " partitions 3 leaders 1,1,1";
        if (reports(ClientProbe.Report.ADMIN)) {
            assertThat(result.lines())
                    .as(result.toString())
                    .containsExactly(
                            "created " + topic,
                            described,
                            "listed " + topic + " True",
                            "deleted " + topic,
                            "listed " + topic + " False");
            assertThat(node.admin().listTopics().names().get()).doesNotContain(topic);
        } else {
            assertThat(result.lines()).as(result.toString()).containsExactly(described);
        }
    }

    @Test
    void reportsAnUnknownTopic() throws Exception {
        ProbeRun.Result result = probe().unknownTopic(bootstrap(), "no-such-topic");
        assertThat(result.lines()).as(result.toString()).containsExactlyElementsOf(probe().expectedUnknownTopic());
        assertThat(node.admin().listTopics().names().get()).doesNotContain("no-such-topic");
    }

    @Test
    void reportsAnOffsetOutOfRangeWithoutResetting() throws Exception {
        String topic = fill("out-of-range", "none");
        ProbeRun.Result result = probe().outOfRange(bootstrap(), topic, 100);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines())
                .as(result.toString())
                .containsExactlyElementsOf(
                        probe().expectedOutOfRange(javaRecords(0, 1).get(0)));
    }

    private boolean reports(ClientProbe.Report report) {
        return probe().reports().contains(report);
    }

    private ProbeRun.Result consume(String topic, String from, int count) throws Exception {
        try (ProbeRun consumer = probe().startConsume(bootstrap(), topic, from, count)) {
            ProbeRun.Result result = consumer.await(ClientProbe.TIMEOUT);
            assertThat(result.exitCode()).as(result.toString()).isZero();
            return result;
        }
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get();
    }

    /**
     * A topic of {@link #COUNT} records written by kafka-clients 4.4 ({@link #javaRecord}) with {@code
     * codec}, in one batch: the consume scenarios each read another codec, and a client starting at
     * an offset or a time inside the batch gets the whole batch and must skip what comes before.
     */
    private static String fill(String topic, String codec) throws Exception {
        createTopic(topic, 1);
        Map<String, Object> settings =
                Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 1_000);
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), settings)) {
            for (int i = 0; i < COUNT; i++) {
                producer.send(javaRecord(topic, i));
            }
            producer.flush();
        }
        assertThat(SegmentBatches.of(node.cluster().dataDir(), topic, 0))
                .extracting(SegmentBatches.Batch::compression)
                .containsExactly(codec);
        return topic;
    }

    /** Record {@code i}: key {@code ki}, value {@code vi}, timestamp base + i s; no headers on record 0. */
    private static ProducerRecord<String, String> javaRecord(String topic, int i) {
        List<Header> headers = i == 0
                ? List.of()
                : List.of(
                        new RecordHeader("origin", "java".getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("seq", String.valueOf(i).getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(topic, 0, BASE_TIMESTAMP + i * 1_000L, "k" + i, "v" + i, headers);
    }

    /** The record lines of {@link #javaRecord}s {@code from} (inclusive) to {@code to}. */
    static List<String> javaRecords(int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> "record 0 " + i + " k" + i + " v" + i + " " + (i == 0 ? "-" : "origin=java,seq=" + i))
                .toList();
    }

    private static List<String> readWithJava(String topic, int count) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), Map.of())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seek(tp, 0);
            return Clients.pollUntil(consumer, count, DEADLINE).stream()
                    .map(ClientMatrix::recordLine)
                    .toList();
        }
    }

    private static String recordLine(ConsumerRecord<String, String> r) {
        String headers = Stream.of(r.headers().toArray())
                .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
        return "record " + r.partition() + " " + r.offset() + " " + r.key() + " " + r.value() + " "
                + (headers.isEmpty() ? "-" : headers);
    }

    private static long committed(String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = node.admin()
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        return offsets.get(new TopicPartition(topic, 0)).offset();
    }
}
