package io.varve.it.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.NodeProcess;
import io.varve.storage.testing.Conditions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the Varve node (a child JVM) while a consume-transform-produce application has
 * a transaction open: after a new node starts on the same data, a new application instance (same
 * transactional id and group) fences the open transaction, which the coordinator recovered from its
 * journal and aborts, and finishes the input; read_committed output holds every input exactly once
 * and the group's offsets cover it all.
 */
class TransactionalCrashIT {
    private static final int INPUT = 300;
    private static final List<TopicPartition> IN =
            List.of(new TopicPartition("crash-in", 0), new TopicPartition("crash-in", 1));
    private static final List<TopicPartition> OUT =
            List.of(new TopicPartition("crash-out", 0), new TopicPartition("crash-out", 1));

    @TempDir
    Path work;

    @Test
    void aNodeKilledMidTransactionRecoversItAndTheOutputHasEveryInputOnce() throws Exception {
        try (NodeProcess first = NodeProcess.start(work, 1)) {
            try (Admin admin = first.admin()) {
                admin.createTopics(List.of(
                                new NewTopic("crash-in", 2, (short) 1), new NewTopic("crash-out", 2, (short) 1)))
                        .all()
                        .get();
            }
            try (KafkaProducer<String, String> producer = first.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int i = 0; i < INPUT; i++) {
                    producer.send(new ProducerRecord<>("crash-in", "k" + i, "v" + i));
                }
            }
            runUntilOpenThenKill(first);
        }
        try (NodeProcess second = NodeProcess.start(work, 2)) {
            try (Transformer successor = new Transformer(
                    second.bootstrapServers(), "crash-app", "crash-group", "crash-in", "crash-out", System.out)) {
                successor.run(INPUT, 0, 0, Duration.ofMinutes(3));
            }
            assertThat(readCommitted(second)).containsExactlyInAnyOrderElementsOf(expected());
            assertThat(committed(second)).isEqualTo(INPUT);
        }
    }

    /** Runs the application until its third transaction is open, then kills the node under it. */
    private static void runUntilOpenThenKill(NodeProcess node) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        AtomicReference<Transformer> app = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                app.set(new Transformer(
                        node.bootstrapServers(), "crash-app", "crash-group", "crash-in", "crash-out", out));
                app.get().run(INPUT, 3, 600_000, Duration.ofMinutes(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        runner.start();
        assertThat(Conditions.awaitTrue(Duration.ofSeconds(120), () -> contains(printed, "OPEN 3")))
                .isTrue();
        assertThat(node.kill()).isNotZero();
        runner.interrupt();
        runner.join(Duration.ofSeconds(30).toMillis());
        app.get().close();
    }

    private static boolean contains(ByteArrayOutputStream printed, String text) {
        synchronized (printed) {
            return printed.toString(StandardCharsets.UTF_8).contains(text);
        }
    }

    private static List<String> expected() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < INPUT; i++) {
            expected.add("T(v" + i + ")");
        }
        return expected;
    }

    private static List<String> readCommitted(NodeProcess node) {
        try (KafkaConsumer<String, String> consumer =
                consumer(node, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            consumer.assign(OUT);
            consumer.seekToBeginning(OUT);
            Map<TopicPartition, Long> ends = consumer.endOffsets(OUT);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (OUT.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }

    private static long committed(NodeProcess node) {
        try (KafkaConsumer<String, String> consumer =
                consumer(node, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "crash-group"))) {
            long total = 0;
            for (OffsetAndMetadata offset :
                    consumer.committed(new HashSet<>(IN)).values()) {
                total += offset == null ? 0 : offset.offset();
            }
            return total;
        }
    }

    private static KafkaConsumer<String, String> consumer(NodeProcess node, Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putAll(extra);
        return new KafkaConsumer<>(p);
    }
}
