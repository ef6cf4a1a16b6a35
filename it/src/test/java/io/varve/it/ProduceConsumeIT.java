package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveNodeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Produce and fetch with the real kafka-clients producer and consumer (assign/seek). */
class ProduceConsumeIT {
    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension();

    @ParameterizedTest(name = "compression {0}, acks {1}")
    @CsvSource({"none,all", "gzip,1", "snappy,all", "lz4,1", "zstd,all", "none,0"})
    void producedRecordsAreFetchedInOrderWithTheirOffsets(String compression, String acks) throws Exception {
        String topic = "t-" + compression + "-" + acks.replace("all", "a");
        node.admin()
                .createTopics(List.of(new NewTopic(topic, 2, (short) 1)))
                .all()
                .get();
        List<RecordMetadata> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(
                node.cluster(),
                Map.of(
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        compression,
                        ProducerConfig.ACKS_CONFIG,
                        acks,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        !"0".equals(acks) && !"1".equals(acks),
                        ProducerConfig.LINGER_MS_CONFIG,
                        5))) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> f : futures) {
                sent.add(f.get());
            }
        }
        if (!"0".equals(acks)) {
            for (int i = 0; i < 200; i++) {
                assertThat(sent.get(i).partition()).isEqualTo(i % 2);
                assertThat(sent.get(i).offset()).isEqualTo(i / 2);
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), Map.of())) {
            consumer.assign(Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
            consumer.seekToBeginning(consumer.assignment());
            List<ConsumerRecord<String, String>> records = Clients.pollUntil(consumer, 200, Duration.ofSeconds(30));
            assertThat(records).hasSize(200);
            for (int p = 0; p < 2; p++) {
                int partition = p;
                List<String> values = records.stream()
                        .filter(r -> r.partition() == partition)
                        .map(r -> r.offset() + ":" + r.key() + "=" + r.value())
                        .toList();
                List<String> expected = new ArrayList<>();
                for (int i = partition; i < 200; i += 2) {
                    expected.add((i / 2) + ":k" + i + "=v" + i);
                }
                assertThat(values).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void seekReadsFromTheMiddle() throws Exception {
        String topic = "seek";
        node.admin()
                .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                .all()
                .get();
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), Map.of())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seek(tp, 42);
            List<ConsumerRecord<String, String>> records = Clients.pollUntil(consumer, 8, Duration.ofSeconds(30));
            assertThat(records)
                    .extracting(ConsumerRecord::offset)
                    .containsExactly(42L, 43L, 44L, 45L, 46L, 47L, 48L, 49L);
            assertThat(records.get(0).value()).isEqualTo("v42");
        }
    }
}
