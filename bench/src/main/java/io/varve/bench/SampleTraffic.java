package io.varve.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produce-then-consume on a sample of partitions for {@link ScaleProbe}: ten idempotent {@code
 * acks=all} records to each, then reads each partition back from the first acknowledged offset and
 * checks the exact values, in order, at consecutive offsets. Throws {@link IllegalStateException}
 * naming the partition on any difference. Runs on the caller's thread.
 */
final class SampleTraffic {
    private static final int RECORDS = 10;
    private final String bootstrap;

    SampleTraffic(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    void produceAndConsume(List<TopicPartition> sample, String tag) throws Exception {
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                300_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                60_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class))) {
            Map<TopicPartition, List<Future<RecordMetadata>>> sends = new HashMap<>();
            for (TopicPartition tp : sample) {
                for (int i = 0; i < RECORDS; i++) {
                    sends.computeIfAbsent(tp, k -> new ArrayList<>())
                            .add(producer.send(
                                    new ProducerRecord<>(tp.topic(), tp.partition(), null, value(tag, tp, i))));
                }
            }
            for (Map.Entry<TopicPartition, List<Future<RecordMetadata>>> entry : sends.entrySet()) {
                long first = entry.getValue().get(0).get().offset();
                for (int i = 0; i < RECORDS; i++) {
                    long offset = entry.getValue().get(i).get().offset();
                    if (offset != first + i) {
                        throw new IllegalStateException(entry.getKey() + ": record " + i + " acknowledged at " + offset
                                + ", expected " + (first + i));
                    }
                }
                firstOffsets.put(entry.getKey(), first);
            }
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
            for (TopicPartition tp : sample) {
                consumer.assign(List.of(tp));
                consumer.seek(tp, firstOffsets.get(tp));
                List<ConsumerRecord<String, String>> got = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 120_000;
                while (got.size() < RECORDS && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).records(tp).forEach(got::add);
                }
                for (int i = 0; i < RECORDS; i++) {
                    if (i >= got.size()
                            || got.get(i).offset() != firstOffsets.get(tp) + i
                            || !got.get(i).value().equals(value(tag, tp, i))) {
                        throw new IllegalStateException(tp + ": read " + got.size() + " records, record " + i
                                + " is not " + value(tag, tp, i) + " at " + (firstOffsets.get(tp) + i));
                    }
                }
            }
        }
    }

    private static String value(String tag, TopicPartition tp, int i) {
        return tag + "-" + tp + "-" + i;
    }
}
