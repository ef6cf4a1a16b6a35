package io.varve.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every partition of the topic from the beginning to its end offset (read_uncommitted, after
 * the workloads stopped and the cluster recovered) and writes {@code final.log}, one line a record:
 * {@code partition offset id} (id as {@link RecordId#describe}, or {@code ?} for a foreign value).
 * Also writes {@code end-offsets.log}: {@code partition endOffset}.
 */
final class FinalLog {
    private FinalLog() {}

    /** Reads the topic; returns each partition's end offset. */
    static Map<Integer, Long> read(String bootstrap, String topic, Path out) throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "chaos-checker");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<Integer, Long> ends = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
                BufferedWriter w = Files.newBufferedWriter(out.resolve("final.log"), StandardCharsets.US_ASCII)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofMinutes(2)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions, Duration.ofMinutes(2));
            endOffsets.forEach((tp, end) -> ends.put(tp.partition(), end));
            long deadline = System.currentTimeMillis() + 600_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < endOffsets.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("the checker could not read to the end offsets " + endOffsets + " in 10 min");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= endOffsets.get(new TopicPartition(topic, record.partition()))) {
                        continue;
                    }
                    long id = RecordId.parse(record.value());
                    w.write(record.partition() + " " + record.offset() + " " + (id < 0 ? "?" : RecordId.describe(id))
                            + '\n');
                }
            }
        }
        StringBuilder s = new StringBuilder();
        ends.forEach(
                (partition, end) -> s.append(partition).append(' ').append(end).append('\n'));
        Files.writeString(out.resolve("end-offsets.log"), s);
        return ends;
    }
}
