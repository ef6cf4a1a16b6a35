package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.it.support.Clients;
import io.varve.it.support.Polls;
import io.varve.it.support.VarveCluster;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-caused failures as kafka-clients 4.4 reports them against a Kafka 4.x broker: the same
 * exception types (and, where the broker writes it, the same message).
 */
class ErrorsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension();

    @Test
    void withoutAutoCreationAnUnknownTopicIsNeverCreated(@TempDir Path otherDataDir) throws Exception {
        String topic = "never-created";
        try (VarveCluster strict =
                        VarveCluster.start(otherDataDir, Map.of("varve.transport.auto-create-topics", false));
                Admin strictAdmin = Clients.admin(strict);
                KafkaProducer<String, String> producer =
                        Clients.producer(strict, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000));
                KafkaConsumer<String, String> consumer = Clients.consumer(strict, Map.of())) {
            // The producer waits for the topic's metadata, which never comes, until max.block.ms.
            assertThatThrownBy(() ->
                            producer.send(new ProducerRecord<>(topic, "k", "v")).get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(TimeoutException.class)
                    .hasMessage("Topic never-created not present in metadata after 3000 ms.");
            assertThat(consumer.partitionsFor(topic)).isEmpty();
            assertThatThrownBy(() -> strictAdmin
                            .describeTopics(List.of(topic))
                            .allTopicNames()
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(UnknownTopicOrPartitionException.class);
            assertThat(strictAdmin.listTopics().names().get()).doesNotContain(topic);
        }
    }

    @Test
    void withAutoCreationAProducerToANewNameSucceeds() throws Exception {
        String topic = "auto-created";
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            RecordMetadata written =
                    producer.send(new ProducerRecord<>(topic, "k", "v")).get();
            assertThat(written.partition()).isZero();
            assertThat(written.offset()).isZero();
        }
        TopicDescription description = node.admin()
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic);
        assertThat(description.partitions()).hasSize(1);
    }

    @Test
    void aFetchBeyondTheLogEndIsOutOfRange() throws Exception {
        String topic = "short-log";
        node.admin()
                .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                .all()
                .get();
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(node.cluster(), Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            consumer.assign(Set.of(tp));
            consumer.seek(tp, 10);

            OffsetOutOfRangeException outOfRange =
                    Polls.pollUntilThrown(consumer, OffsetOutOfRangeException.class, DEADLINE);

            assertThat(outOfRange.offsetOutOfRangePartitions()).isEqualTo(Map.of(tp, 10L));
        }
    }

    @Test
    void aRecordAboveTheTopicsMaxMessageBytesIsTooLarge() throws Exception {
        String topic = "small-records";
        node.admin()
                .createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                        .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"))))
                .all()
                .get();
        try (KafkaProducer<String, String> producer = Clients.producer(
                node.cluster(),
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576, ProducerConfig.LINGER_MS_CONFIG, 0))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, 0, "k", "x".repeat(4_000)))
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(RecordTooLargeException.class);
            // The limit is per topic: a record that fits is still accepted, at the first offset.
            assertThat(producer.send(new ProducerRecord<>(topic, 0, "k", "small"))
                            .get()
                            .offset())
                    .isZero();
        }
    }

    @Test
    void aLoweredMaxMessageBytesAppliesToTheNextRecords() throws Exception {
        String topic = "shrinking-records";
        node.admin()
                .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                .all()
                .get();
        String value = "y".repeat(4_000);
        try (KafkaProducer<String, String> producer =
                Clients.producer(node.cluster(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            assertThat(producer.send(new ProducerRecord<>(topic, 0, "k", value))
                            .get()
                            .offset())
                    .isZero();

            node.admin()
                    .incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, topic),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"),
                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();

            // The partition applies the change when the metadata reaches it (asynchronously in Kafka too).
            assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                        try {
                            producer.send(new ProducerRecord<>(topic, 0, "k", value))
                                    .get();
                            return false;
                        } catch (ExecutionException e) {
                            if (e.getCause() instanceof RecordTooLargeException) {
                                return true;
                            }
                            throw e;
                        }
                    }))
                    .as("a 4000-byte record is rejected once max.message.bytes is 1024")
                    .isTrue();
        }
    }

    @Test
    void anInvalidConfigValueIsRejectedWithKafkasMessage() {
        assertThatThrownBy(() -> node.admin()
                        .createTopics(List.of(new NewTopic("tiny-segments", 1, (short) 1)
                                .configs(Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1000"))))
                        .all()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576");
    }

    @Test
    void anIllegalTopicNameIsAnInvalidTopic() throws Exception {
        assertThatThrownBy(() -> node.admin()
                        .createTopics(List.of(new NewTopic("bad/name", 1, (short) 1)))
                        .all()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InvalidTopicException.class)
                .hasMessage("Topic name is invalid: 'bad/name' contains one or more characters other than ASCII "
                        + "alphanumerics, '.', '_' and '-'");
        try (KafkaProducer<String, String> producer =
                Clients.producer(node.cluster(), Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("bad/name", "k", "v"))
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(InvalidTopicException.class);
        }
        assertThat(node.admin().listTopics().names().get()).doesNotContain("bad/name");
    }
}
