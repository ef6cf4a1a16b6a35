package io.varve.connectors.support;

import io.varve.connectors.embedded.EmbeddedVarve;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Real Kafka clients (kafka-clients 4.4.0) against an embedded node's listener. */
public final class Clients {
    private Clients() {}

    public static KafkaProducer<String, String> producer(EmbeddedVarve node, Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putAll(overrides);
        return new KafkaProducer<>(props);
    }

    public static KafkaConsumer<String, String> consumer(EmbeddedVarve node, Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(overrides);
        return new KafkaConsumer<>(props);
    }

    public static Admin admin(EmbeddedVarve node) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers()));
    }

    /** Reads exactly {@code count} records of {@code tp} from {@code offset} with an assigned consumer. */
    public static List<ConsumerRecord<String, String>> read(
            EmbeddedVarve node, TopicPartition tp, long offset, int count, Duration deadline) {
        return read(node, Map.of(tp, offset), Map.of(), count, deadline);
    }

    /**
     * Reads {@code count} records of the given partitions, each from its offset, with an assigned
     * consumer configured with {@code overrides} (e.g. read_committed); fewer if the deadline passes.
     */
    public static List<ConsumerRecord<String, String>> read(
            EmbeddedVarve node,
            Map<TopicPartition, Long> from,
            Map<String, Object> overrides,
            int count,
            Duration deadline) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(node, overrides)) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long end = System.nanoTime() + deadline.toNanos();
            while (records.size() < count && System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The log end offset (high watermark) of {@code tp}, as Admin's listOffsets reports it. */
    public static long latestOffset(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                .partitionResult(tp)
                .get()
                .offset();
    }
}
