package io.varve.it.txn;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** Transactional producers, isolation-level consumers and what they read, for the transaction ITs. */
final class TransactionalClients {
    private TransactionalClients() {}

    static KafkaProducer<String, String> producer(
            VarveCluster cluster, String transactionalId, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        config.putAll(extra);
        return Clients.producer(cluster, config);
    }

    static KafkaConsumer<String, String> consumer(VarveCluster cluster, IsolationLevel isolation) {
        return Clients.consumer(
                cluster,
                Map.of(
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        isolation.toString().toLowerCase(java.util.Locale.ROOT)));
    }

    /**
     * Reads the partitions from the beginning until the consumer's position reaches {@code ends}
     * (under read_committed the last stable offsets) and returns every value as {@code
     * "partition:offset:value"}, in order per partition.
     */
    static List<String> readAll(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        List<String> values = new ArrayList<>();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!reached(consumer, ends)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("positions did not reach " + ends + " within 30 s; read " + values);
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.topic() + "-" + record.partition() + ":" + record.offset() + ":" + record.value());
            }
        }
        return values;
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
