package io.varve.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of a workload that tails every partition of the topic from the beginning with one
 * isolation level and writes what it read, so the checker can tell whether a consumer ever saw a
 * record that is not in the final log at that offset (a read above the high watermark that was
 * later truncated). Positions never reset on their own ({@code auto.offset.reset=none}): an
 * out-of-range position or a detected truncation is logged and handled here.
 *
 * <pre>
 *   R partition offset valueId             read (valueId as RecordId.describe, or "?" if foreign)
 *   O timeMs partition offset              out of range: tried again
 *   T timeMs partition offset truncatedTo  the client detected log truncation (KIP-320): moved back
 * </pre>
 *
 * <p>Runs on its own thread until {@code stop} says so.
 */
final class TailConsumer implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(TailConsumer.class);

    private final String bootstrap;
    private final String topic;
    private final String isolation;
    private final Path file;
    private final BooleanSupplier stop;

    TailConsumer(String bootstrap, String topic, String isolation, Path file, BooleanSupplier stop) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.isolation = isolation;
        this.file = file;
        this.stop = stop;
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "chaos-tail-" + isolation,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "none",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName()));
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofMinutes(2)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long lastFlush = System.currentTimeMillis();
            while (!stop.getAsBoolean()) {
                poll(consumer, out);
                if (System.currentTimeMillis() - lastFlush > 1000) {
                    out.flush();
                    lastFlush = System.currentTimeMillis();
                }
            }
        } catch (IOException | KafkaException e) {
            log.error("tail consumer ({}) ended: {}", isolation, e.toString(), e);
        }
    }

    private void poll(KafkaConsumer<String, String> consumer, BufferedWriter out) throws IOException {
        try {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                long id = RecordId.parse(record.value());
                out.write("R " + record.partition() + ' ' + record.offset() + ' '
                        + (id < 0 ? "?" : RecordId.describe(id) + ':') + '\n');
            }
        } catch (LogTruncationException e) {
            for (Map.Entry<TopicPartition, OffsetAndMetadata> diverged :
                    e.divergentOffsets().entrySet()) {
                TopicPartition tp = diverged.getKey();
                out.write("T " + System.currentTimeMillis() + ' ' + tp.partition() + ' ' + consumer.position(tp) + ' '
                        + diverged.getValue().offset() + '\n');
                consumer.seek(tp, diverged.getValue().offset());
            }
        } catch (OffsetOutOfRangeException e) {
            for (Map.Entry<TopicPartition, Long> outOfRange :
                    e.offsetOutOfRangePartitions().entrySet()) {
                out.write("O " + System.currentTimeMillis() + ' '
                        + outOfRange.getKey().partition() + ' ' + outOfRange.getValue() + '\n');
                consumer.seek(outOfRange.getKey(), outOfRange.getValue());
            }
            sleepQuietly();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
