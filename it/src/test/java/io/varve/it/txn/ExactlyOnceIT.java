package io.varve.it.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.BuildFiles;
import io.varve.it.support.ChildJvm;
import io.varve.it.support.Clients;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once consume-transform-produce with kafka-clients' transactional producer and {@code
 * sendOffsetsToTransaction}: every input record's transformation is in the output exactly once for
 * read_committed consumers, and the group's committed offsets cover the whole input, also when the
 * application process is killed with {@code kill -9} in the middle of a transaction and a new
 * instance (the same transactional id and group) takes over.
 */
class ExactlyOnceIT {
    private static final int INPUT = 300;

    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension();

    @TempDir
    Path work;

    private List<TopicPartition> prepare(String input, String output) throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic(input, 2, (short) 1), new NewTopic(output, 2, (short) 1)))
                .all()
                .get();
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            for (int i = 0; i < INPUT; i++) {
                producer.send(new ProducerRecord<>(input, "k" + i, "v" + i));
            }
        }
        return List.of(new TopicPartition(output, 0), new TopicPartition(output, 1));
    }

    private static List<String> expected() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < INPUT; i++) {
            expected.add("T(v" + i + ")");
        }
        return expected;
    }

    private List<String> outputValues(List<TopicPartition> output, IsolationLevel isolation) {
        try (KafkaConsumer<String, String> consumer = TransactionalClients.consumer(node.cluster(), isolation)) {
            return TransactionalClients.readAll(consumer, output).stream()
                    .map(value -> value.substring(value.lastIndexOf(':') + 1))
                    .toList();
        }
    }

    private long committedInput(String group, String input) {
        try (KafkaConsumer<String, String> admin =
                Clients.consumer(node.cluster(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            return Transformer.committed(admin, List.of(new TopicPartition(input, 0), new TopicPartition(input, 1)));
        }
    }

    @Test
    void everyInputIsTransformedExactlyOnce() throws Exception {
        List<TopicPartition> output = prepare("eos-in", "eos-out");

        try (Transformer transformer = new Transformer(
                node.cluster().bootstrapServers(), "eos-app", "eos-group", "eos-in", "eos-out", System.out)) {
            transformer.run(INPUT, 0, 0, Duration.ofMinutes(2));
        }

        assertThat(outputValues(output, IsolationLevel.READ_COMMITTED)).containsExactlyInAnyOrderElementsOf(expected());
        assertThat(committedInput("eos-group", "eos-in")).isEqualTo(INPUT);
    }

    @Test
    void anApplicationKilledMidTransactionIsReplacedWithoutLossOrDuplicates() throws Exception {
        List<TopicPartition> output = prepare("kill-in", "kill-out");
        Path log = work.resolve("transformer.log");
        String classpath =
                BuildFiles.itTarget().resolve("test-classes") + File.pathSeparator + BuildFiles.nodeClasspath();
        Process child = ChildJvm.launch(
                classpath,
                List.of("-Dlogback.configurationFile="
                        + BuildFiles.itTarget().resolve("test-classes/kafka-tools-logback.xml")),
                Transformer.class.getName(),
                List.of(
                        node.cluster().bootstrapServers(),
                        "kill-app",
                        "kill-group",
                        "kill-in",
                        "kill-out",
                        String.valueOf(INPUT),
                        "3",
                        "600000"),
                log);
        try {
            assertThat(Conditions.awaitTrue(
                            Duration.ofSeconds(90), () -> Files.readString(log).contains("OPEN 3")))
                    .as("the transformer opened its third transaction: %s", log)
                    .isTrue();
        } finally {
            child.destroyForcibly(); // kill -9, its third transaction open
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        long committedBefore = committedInput("kill-group", "kill-in");
        assertThat(committedBefore).isPositive().isLessThan(INPUT);

        try (Transformer successor = new Transformer(
                node.cluster().bootstrapServers(),
                "kill-app",
                "kill-group",
                "kill-in",
                "kill-out",
                new PrintStream(System.out))) {
            successor.run(INPUT, 0, 0, Duration.ofMinutes(2));
        }

        assertThat(outputValues(output, IsolationLevel.READ_COMMITTED)).containsExactlyInAnyOrderElementsOf(expected());
        // the killed transaction's records are in the log, aborted: only read_uncommitted sees them
        assertThat(outputValues(output, IsolationLevel.READ_UNCOMMITTED)).hasSizeGreaterThan(INPUT);
        assertThat(committedInput("kill-group", "kill-in")).isEqualTo(INPUT);
    }
}
