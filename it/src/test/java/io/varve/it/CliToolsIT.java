package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.ChildJvm;
import io.varve.it.support.Clients;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.VarveNodeExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache Kafka's own command-line tools (4.3.1, in child JVMs) against a Varve node: {@code
 * kafka-topics} creates, lists and describes topics, the console producer and consumer write and
 * read records (the consumer with {@code --partition}/{@code --offset} needs no consumer group), and
 * {@code kafka-get-offsets} reports log end and log start offsets. Every assertion is on the exact
 * output.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliToolsIT {
    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension();

    @Test
    @Order(1)
    void kafkaTopicsCreatesListsAndDescribesTopics() throws Exception {
        ChildJvm.Result created = topics(
                "--create",
                "--topic",
                "cli-orders",
                "--partitions",
                "3",
                "--config",
                "retention.ms=3600000",
                "--config",
                "cleanup.policy=delete");
        assertThat(created.stdout()).as(created.toString()).isEqualTo("Created topic cli-orders.\n");
        assertThat(created.exitCode()).isZero();
        ChildJvm.Result single =
                topics("--create", "--topic", "cli-single", "--partitions", "1", "--replication-factor", "1");
        assertThat(single.stdout()).as(single.toString()).isEqualTo("Created topic cli-single.\n");

        ChildJvm.Result listed = topics("--list");
        assertThat(listed.stdout()).as(listed.toString()).isEqualTo("cli-orders\ncli-single\n");

        Uuid topicId = node.admin()
                .describeTopics(List.of("cli-orders"))
                .allTopicNames()
                .get()
                .get("cli-orders")
                .topicId();
        ChildJvm.Result described = topics("--describe", "--topic", "cli-orders");
        StringBuilder expected = new StringBuilder("Topic: cli-orders\tTopicId: " + topicId
                + "\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: cleanup.policy=delete,retention.ms=3600000\n");
        for (int p = 0; p < 3; p++) {
            expected.append("\tTopic: cli-orders\tPartition: ")
                    .append(p)
                    .append("\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n");
        }
        assertThat(described.stdout()).as(described.toString()).isEqualTo(expected.toString());
        assertThat(described.exitCode()).isZero();
    }

    @Test
    @Order(2)
    void kafkaTopicsReportsAnExistingAndAMissingTopic() throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic("cli-existing", 1, (short) 1)))
                .all()
                .get();
        ChildJvm.Result exists = topics("--create", "--topic", "cli-existing", "--partitions", "1");
        assertThat(exists.exitCode()).as(exists.toString()).isEqualTo(1);
        assertThat(exists.stdout())
                .isEqualTo("Error while executing topic command : Topic 'cli-existing' already exists.\n");

        ChildJvm.Result missing = topics("--describe", "--topic", "cli-missing");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.stdout())
                .isEqualTo("Error while executing topic command : Topic 'cli-missing' does not exist as expected\n");
    }

    @Test
    @Order(3)
    void consoleProducerWritesWhatTheConsoleConsumerReadsWithoutAGroup() throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic("cli-console", 1, (short) 1)))
                .all()
                .get();
        String input =
                IntStream.range(0, 10).mapToObj(i -> "k" + i + ":v" + i + "\n").collect(Collectors.joining());
        ChildJvm.Result produced = KafkaTools.runWithInput(
                KafkaTools.CONSOLE_PRODUCER,
                input,
                "--bootstrap-server",
                node.cluster().bootstrapServers(),
                "--topic",
                "cli-console",
                "--reader-property",
                "parse.key=true",
                "--reader-property",
                "key.separator=:");
        assertThat(produced.exitCode()).as(produced.toString()).isZero();
        assertThat(produced.stdout()).isEmpty();

        ChildJvm.Result all = consume("cli-console", "earliest", 10);
        assertThat(all.stdout())
                .as(all.toString())
                .isEqualTo(IntStream.range(0, 10)
                        .mapToObj(i -> "Offset:" + i + "\tk" + i + "\tv" + i + "\n")
                        .collect(Collectors.joining()));
        assertThat(all.stderr()).contains("Processed a total of 10 messages");
        assertThat(all.exitCode()).isZero();

        ChildJvm.Result tail = consume("cli-console", "7", 3);
        assertThat(tail.stdout())
                .as(tail.toString())
                .isEqualTo("Offset:7\tk7\tv7\nOffset:8\tk8\tv8\nOffset:9\tk9\tv9\n");
    }

    @Test
    @Order(4)
    void getOffsetsReportsLogEndAndLogStartOffsets() throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic("cli-offsets", 3, (short) 1)))
                .all()
                .get();
        long[] counts = new long[3];
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                futures.add(producer.send(new ProducerRecord<>("cli-offsets", i % 3, "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> f : futures) {
                counts[f.get().partition()]++;
            }
        }
        assertThat(counts).containsExactly(10, 10, 10);
        node.admin()
                .deleteRecords(Map.of(new TopicPartition("cli-offsets", 0), RecordsToDelete.beforeOffset(4)))
                .all()
                .get();

        ChildJvm.Result latest = getOffsets("--topic", "cli-offsets");
        assertThat(latest.stdout())
                .as(latest.toString())
                .isEqualTo("cli-offsets:0:10\ncli-offsets:1:10\ncli-offsets:2:10\n");
        ChildJvm.Result earliest = getOffsets("--topic", "cli-offsets", "--time", "-2");
        assertThat(earliest.stdout())
                .as(earliest.toString())
                .isEqualTo("cli-offsets:0:4\ncli-offsets:1:0\ncli-offsets:2:0\n");
        ChildJvm.Result onePartition = getOffsets("--topic", "cli-offsets", "--partitions", "2", "--time", "-1");
        assertThat(onePartition.stdout()).as(onePartition.toString()).isEqualTo("cli-offsets:2:10\n");
        assertThat(onePartition.exitCode()).isZero();
    }

    private static ChildJvm.Result topics(String... args) throws Exception {
        List<String> all =
                new ArrayList<>(List.of("--bootstrap-server", node.cluster().bootstrapServers()));
        all.addAll(List.of(args));
        return KafkaTools.run(KafkaTools.TOPICS, all.toArray(String[]::new));
    }

    private static ChildJvm.Result consume(String topic, String offset, int maxMessages) throws Exception {
        return KafkaTools.run(
                KafkaTools.CONSOLE_CONSUMER,
                "--bootstrap-server",
                node.cluster().bootstrapServers(),
                "--topic",
                topic,
                "--partition",
                "0",
                "--offset",
                offset,
                "--max-messages",
                String.valueOf(maxMessages),
                "--formatter-property",
                "print.offset=true",
                "--formatter-property",
                "print.key=true");
    }

    private static ChildJvm.Result getOffsets(String... args) throws Exception {
        List<String> all =
                new ArrayList<>(List.of("--bootstrap-server", node.cluster().bootstrapServers()));
        all.addAll(List.of(args));
        return KafkaTools.run(KafkaTools.GET_OFFSETS, all.toArray(String[]::new));
    }
}
