package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.ChildJvm;
import io.varve.it.support.Clients;
import io.varve.it.support.CompactedPartitions;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import io.varve.storage.testing.KafkaDumpLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Log compaction end to end on one in-process node with real Kafka clients: the latest value of every
 * key stays at its offset and nothing else below the cleaned offset, Apache Kafka's {@code
 * kafka-dump-log} reads the cleaned segments and indexes, tombstones live {@code delete.retention.ms},
 * {@code compact,delete} applies both policies, keyless records are refused per record, and the
 * broker describes its cleaner settings.
 */
class CompactionIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String PADDING = "p".repeat(150);

    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension(Map.of(
            "varve.cleaner.backoff", "100ms",
            "varve.partition.retention-check-interval", "200ms"));

    private static void createTopic(String name, Map<String, String> configs) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, "compact",
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01"));
        all.putAll(configs);
        node.admin()
                .createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(all)))
                .all()
                .get();
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Map<String, Object> config =
                new HashMap<>(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5));
        config.putAll(extra);
        return Clients.producer(node.cluster(), config);
    }

    private static List<ConsumerRecord<String, String>> readAll(TopicPartition tp) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), Map.of())) {
            return CompactedPartitions.readAll(consumer, tp, DEADLINE);
        }
    }

    private static Path dataDir() {
        return node.cluster().dataDir();
    }

    /** Waits until the cleaner has cleaned {@code tp} up to its active segment. */
    private static long awaitCleanedUpToActiveSegment(TopicPartition tp) throws Exception {
        boolean cleaned = Conditions.awaitTrue(DEADLINE, () -> {
            List<Long> bases = CompactedPartitions.segmentBaseOffsets(dataDir(), tp);
            return bases.size() > 1 && CompactedPartitions.cleanedUpTo(dataDir(), tp) == bases.get(bases.size() - 1);
        });
        assertThat(cleaned).as("%s cleaned up to its active segment", tp).isTrue();
        return CompactedPartitions.cleanedUpTo(dataDir(), tp);
    }

    @Test
    void keepsTheLatestValueOfEveryKeyAtItsOffsetAndKafkaDumpLogReadsTheCleanedSegments() throws Exception {
        String topic = "updates";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic, Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1048576"));
        Map<Long, String> produced = new LinkedHashMap<>(); // offset -> key=value
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            List<String> pairs = new ArrayList<>();
            for (int i = 0; i < 30_000; i++) {
                String key = "k" + (i * 7 % 500);
                String value = "v" + i + "-" + PADDING;
                sends.add(producer.send(new ProducerRecord<>(topic, 0, key, value)));
                pairs.add(key + "=" + value);
            }
            for (int i = 0; i < sends.size(); i++) {
                produced.put(sends.get(i).get().offset(), pairs.get(i));
            }
        }
        long cleanedUpTo = awaitCleanedUpToActiveSegment(tp);

        assertThat(cleanedUpTo)
                .as("5 MB in 1 MiB segments: all but the last are cleaned")
                .isGreaterThan(20_000);
        List<String> expected = expectedAfterCleaning(produced, cleanedUpTo);
        List<ConsumerRecord<String, String>> records = readAll(tp);
        assertThat(CompactedPartitions.describe(records)).containsExactlyElementsOf(expected);
        assertThat(expected.stream().filter(r -> Long.parseLong(r.substring(0, r.indexOf(':'))) < cleanedUpTo))
                .hasSize(500);

        List<Path> segments = CompactedPartitions.segmentFiles(dataDir(), tp, ".log");
        ChildJvm.Result dump =
                KafkaTools.run(KafkaTools.DUMP_LOG, "--deep-iteration", "--print-data-log", "--files", join(segments));
        assertThat(dump.exitCode()).as(dump.toString()).isZero();
        assertThat(dump.stdout()).doesNotContain("isvalid: false").contains("isvalid: true");
        assertThat(KafkaDumpLog.records(dump.stdout()))
                .containsExactlyElementsOf(expected.stream()
                        .map(r -> r.substring(0, r.indexOf(':')) + ":" + r.substring(r.indexOf('=') + 1))
                        .toList());
        List<Path> closedIndexes = new ArrayList<>();
        for (String suffix : List.of(".index", ".timeindex")) {
            List<Path> files = CompactedPartitions.segmentFiles(dataDir(), tp, suffix);
            closedIndexes.addAll(files.subList(0, files.size() - 1)); // the active segment's is preallocated
        }
        ChildJvm.Result indexes =
                KafkaTools.run(KafkaTools.DUMP_LOG, "--verify-index-only", "--files", join(closedIndexes));
        assertThat(indexes.exitCode()).as(indexes.toString()).isZero();
        assertThat(indexes.stdout()).doesNotContainIgnoringCase("mismatch").doesNotContainIgnoringCase("exception");
    }

    /** Kafka's outcome: below the cleaned offset only the latest record of each key; from it on, everything. */
    static List<String> expectedAfterCleaning(Map<Long, String> produced, long cleanedUpTo) {
        Map<String, Long> latest = new HashMap<>();
        produced.forEach((offset, pair) -> {
            if (offset < cleanedUpTo) {
                latest.put(pair.substring(0, pair.indexOf('=')), offset);
            }
        });
        List<String> expected = new ArrayList<>();
        produced.forEach((offset, pair) -> {
            String key = pair.substring(0, pair.indexOf('='));
            if (offset >= cleanedUpTo || latest.get(key).equals(offset)) {
                expected.add(offset + ":" + pair);
            }
        });
        return expected;
    }

    @Test
    void consumersReadingWhileTheLogIsCleanedSeeAConsistentOrderedLog() throws Exception {
        String topic = "live";
        TopicPartition tp = new TopicPartition(topic, 0);
        int keys = 200;
        int most = 400_000; // the producer stops once the reader saw three cleanings, or here
        createTopic(topic, Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1048576"));
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        AtomicBoolean enough = new AtomicBoolean();
        Thread producing = new Thread(
                () -> {
                    try (KafkaProducer<String, String> producer = producer(Map.of())) {
                        for (int i = 0; i < most && !enough.get(); i++) {
                            long expected = i;
                            producer.send(
                                    new ProducerRecord<>(topic, 0, "k" + (i % keys), "v" + i + "-" + PADDING),
                                    (m, e) -> {
                                        if (e != null || m.offset() != expected) {
                                            producerFailure.compareAndSet(
                                                    null,
                                                    e != null
                                                            ? e
                                                            : new AssertionError("offset " + m.offset() + " for record "
                                                                    + expected));
                                        }
                                    });
                        }
                    } catch (RuntimeException e) {
                        producerFailure.compareAndSet(null, e);
                    }
                },
                "live-producer");
        producing.start();
        Set<Long> checkpointsSeen = new HashSet<>();
        int passes = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), Map.of())) {
            // reads the whole partition again and again while the producer writes and the cleaner cleans
            // behind it, until three cleanings were seen (the producer then stops) or the deadline passed
            while ((checkpointsSeen.size() < 3 || passes < 5) && System.nanoTime() - deadline < 0) {
                checkpointsSeen.add(CompactedPartitions.cleanedUpTo(dataDir(), tp));
                List<ConsumerRecord<String, String>> read = CompactedPartitions.readAll(consumer, tp, DEADLINE);
                checkConsistentPass(read, keys);
                passes++;
            }
            enough.set(true);
            producing.join();
            checkConsistentPass(CompactedPartitions.readAll(consumer, tp, DEADLINE), keys);
        }
        assertThat(producerFailure.get()).isNull();
        assertThat(checkpointsSeen).as("cleanings observed while reading").hasSizeGreaterThanOrEqualTo(3);
    }

    /**
     * One read of the whole partition: offsets strictly increase, every record is the one produced at its
     * offset (record i has offset i), and every key's last record is its latest below the end of the read.
     */
    private static void checkConsistentPass(List<ConsumerRecord<String, String>> records, int keys) {
        long previous = -1;
        Map<String, Long> lastSeen = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            assertThat(record.offset()).isGreaterThan(previous);
            assertThat(record.value()).startsWith("v" + record.offset() + "-");
            assertThat(record.key()).isEqualTo("k" + (record.offset() % keys));
            lastSeen.put(record.key(), record.offset());
            previous = record.offset();
        }
        long end = previous + 1;
        for (int k = 0; k < keys && k < end; k++) {
            long latest = (end - 1) - Math.floorMod(end - 1 - k, keys);
            assertThat(lastSeen.get("k" + k))
                    .as("last record of k%d in a read up to %d", k, end)
                    .isEqualTo(latest);
        }
    }

    @Test
    void aTombstoneIsKeptForDeleteRetentionThenRemoved() throws Exception {
        String topic = "tombstones";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(
                topic, Map.of(TopicConfig.SEGMENT_MS_CONFIG, "100", TopicConfig.DELETE_RETENTION_MS_CONFIG, "2000"));
        long t = System.currentTimeMillis() - 3_600_000; // each timestamp 200 ms on: every send rolls a segment
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, 0, t, "a", "a1")).get();
            producer.send(new ProducerRecord<>(topic, 0, t + 200, "b", "b1")).get();
            producer.send(new ProducerRecord<>(topic, 0, t + 400, "a", (String) null))
                    .get();
            producer.send(new ProducerRecord<>(topic, 0, t + 600, "c", "c1")).get();

            awaitCleanedUpToActiveSegment(tp);
            assertThat(CompactedPartitions.describe(readAll(tp)))
                    .as("after the first cleaning")
                    .containsExactly("1:b=b1", "2:a=null", "3:c=c1");

            long[] filler = {t + 800};
            boolean removed = Conditions.awaitTrue(DEADLINE, () -> {
                producer.send(new ProducerRecord<>(topic, 0, filler[0], "f", "f" + filler[0]))
                        .get();
                filler[0] += 200;
                return readAll(tp).stream().noneMatch(r -> r.key().equals("a"));
            });
            assertThat(removed)
                    .as("the tombstone of a is gone after delete.retention.ms")
                    .isTrue();
        }
        List<String> remaining = CompactedPartitions.describe(readAll(tp));
        assertThat(remaining).startsWith("1:b=b1", "3:c=c1").noneMatch(r -> r.contains(":a="));
    }

    @Test
    void compactAndDeleteAppliesRetentionAndCompaction() throws Exception {
        String topic = "compact-and-delete";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(
                topic,
                Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete",
                        TopicConfig.RETENTION_MS_CONFIG, "3600000",
                        TopicConfig.SEGMENT_MS_CONFIG, "100",
                        // held back until retention has run: cleaning first would merge the old
                        // segments with newer ones, which time retention then keeps (as in Kafka)
                        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "1"));
        long old = System.currentTimeMillis() - 3 * 3_600_000L;
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, 0, old, "x", "x1")).get(); // 0
            producer.send(new ProducerRecord<>(topic, 0, old + 200, "y", "y1")).get(); // 1
            producer.send(new ProducerRecord<>(topic, 0, now, "x", "x2")).get(); // 2
            producer.send(new ProducerRecord<>(topic, 0, now + 200, "x", "x3")).get(); // 3
            producer.send(new ProducerRecord<>(topic, 0, now + 400, "z", "z1")).get(); // 4, active
        }

        boolean retained = Conditions.awaitTrue(DEADLINE, () -> CompactedPartitions.describe(readAll(tp))
                .equals(List.of("2:x=x2", "3:x=x3", "4:z=z1")));
        assertThat(retained)
                .as("retention dropped the 3-hour-old segments, y too")
                .isTrue();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        node.admin()
                .incrementalAlterConfigs(Map.of(
                        resource,
                        List.of(new AlterConfigOp(
                                new ConfigEntry(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01"),
                                AlterConfigOp.OpType.SET))))
                .all()
                .get();
        boolean both = Conditions.awaitTrue(
                DEADLINE, () -> CompactedPartitions.describe(readAll(tp)).equals(List.of("3:x=x3", "4:z=z1")));

        assertThat(both)
                .as("then compaction dropped the older x: %s", CompactedPartitions.describe(readAll(tp)))
                .isTrue();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), Map.of())) {
            assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isEqualTo(2L);
        }
    }

    @Test
    void keylessRecordsAreRefusedEachWithItsOwnErrorAndTheRestOfTheirBatchFails() throws Exception {
        String topic = "keys-required";
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic, Map.of());
        try (KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                false,
                ProducerConfig.ACKS_CONFIG,
                "1",
                ProducerConfig.LINGER_MS_CONFIG,
                1_000,
                ProducerConfig.RETRIES_CONFIG,
                0))) {
            Future<RecordMetadata> keyed = producer.send(new ProducerRecord<>(topic, 0, "k", "v"));
            Future<RecordMetadata> keyless = producer.send(new ProducerRecord<>(topic, 0, null, "no key"));
            Future<RecordMetadata> after = producer.send(new ProducerRecord<>(topic, 0, "k2", "v2"));
            producer.flush();

            assertThat(cause(keyless))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessage(
                            "Compacted topic cannot accept message without key in topic partition keys-required-0.");
            for (Future<RecordMetadata> collateral : List.of(keyed, after)) {
                assertThat(cause(collateral))
                        .isInstanceOf(KafkaException.class)
                        .isNotInstanceOf(InvalidRecordException.class)
                        .hasMessageContaining("part of a batch which had one more more invalid records");
            }
            assertThat(producer.send(new ProducerRecord<>(topic, 0, "k3", "v3"))
                            .get()
                            .offset())
                    .isZero();
        }
        assertThat(CompactedPartitions.describe(readAll(tp))).containsExactly("0:k3=v3");
    }

    @Test
    void theBrokerDescribesItsCleanerSettings() throws Exception {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        Config config =
                node.admin().describeConfigs(List.of(broker)).all().get().get(broker);

        assertThat(config.get("log.cleaner.backoff.ms").value()).isEqualTo("100");
        assertThat(config.get("log.cleaner.threads").value()).isEqualTo("1");
        assertThat(config.get("log.cleaner.dedupe.buffer.size").value()).isEqualTo("134217728");
        assertThat(config.get("log.cleaner.io.max.bytes.per.second").value()).isEqualTo("1.7976931348623157E308");
        assertThat(config.get("log.cleaner.min.cleanable.ratio").value()).isEqualTo("0.5");
        assertThat(config.get("log.cleaner.delete.retention.ms").value()).isEqualTo("86400000");
    }

    private static Throwable cause(Future<RecordMetadata> future) throws InterruptedException {
        try {
            future.get();
            throw new AssertionError("the send succeeded");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static String join(List<Path> files) {
        return String.join(",", files.stream().map(Path::toString).toList());
    }
}
