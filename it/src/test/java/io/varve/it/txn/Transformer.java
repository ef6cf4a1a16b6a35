package io.varve.it.txn;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A consume-transform-produce application as Kafka's exactly-once guide writes it: a read_committed
 * consumer in a group (static membership, so a restarted instance takes over at once) and a
 * transactional producer; each poll becomes one transaction holding the transformed records ({@code
 * "T(value)"}) and the consumer's next offsets ({@code sendOffsetsToTransaction}). It stops once its
 * positions (which start at the group's committed offsets) add up to {@code inputCount} records. Transaction number {@code pauseAt}
 * (1-based; 0: none) prints {@code OPEN <n>} after its sends and then holds the transaction open until
 * the test kills the process (or the node, and interrupts the runner), at most {@code pauseMs}, so a
 * test can kill it mid-transaction. Runs in-process or as a
 * child JVM ({@link #main}: bootstrap, transactional id, group, input, output, input count, pauseAt,
 * pauseMs).
 */
final class Transformer implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    /** Never released: a held transaction ends by kill -9, by interruption, or at its bound. */
    private final CountDownLatch held = new CountDownLatch(1);

    private final String outputTopic;
    private final PrintStream out;

    Transformer(
            String bootstrap,
            String transactionalId,
            String groupId,
            String inputTopic,
            String outputTopic,
            PrintStream out) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupId + "-instance");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 25);
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        this.consumer = new KafkaConsumer<>(c);
        this.producer = new KafkaProducer<>(p);
        this.outputTopic = outputTopic;
        this.out = out;
        producer.initTransactions();
        consumer.subscribe(List.of(inputTopic));
    }

    /** Transforms until the input's {@code inputCount} records are all committed or {@code deadline} passes. */
    void run(long inputCount, int pauseAt, long pauseMs, Duration deadline) throws InterruptedException {
        Instant end = Instant.now().plus(deadline);
        int transactions = 0;
        while (true) {
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
            long consumed = positions();
            if (records.isEmpty() && consumed >= inputCount) {
                break;
            }
            if (Instant.now().isAfter(end)) {
                throw new IllegalStateException("only " + consumed + " of " + inputCount + " consumed by the deadline");
            }
            if (records.isEmpty()) {
                continue;
            }
            transactions++;
            producer.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            for (ConsumerRecord<String, String> record : records) {
                producer.send(new ProducerRecord<>(outputTopic, record.key(), "T(" + record.value() + ")"));
                next.put(
                        new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
            }
            if (transactions == pauseAt) {
                producer.flush();
                out.println("OPEN " + transactions);
                out.flush();
                // held until the test kills or interrupts it: the test decides when, not a guessed time
                held.await(pauseMs, TimeUnit.MILLISECONDS);
            }
            producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
            producer.commitTransaction();
            out.println("COMMITTED " + transactions + " " + records.count());
            out.flush();
        }
        out.println("DONE " + transactions);
        out.flush();
    }

    /** The sum of this consumer's positions, once it has every input partition assigned. */
    private long positions() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            total += consumer.position(tp);
        }
        return total;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }

    /** Only the committed positions count: how many records of {@code partitions} the group has committed. */
    static long committed(KafkaConsumer<?, ?> admin, List<TopicPartition> partitions) {
        long total = 0;
        for (OffsetAndMetadata offset :
                admin.committed(new java.util.HashSet<>(partitions)).values()) {
            total += offset == null ? 0 : offset.offset();
        }
        return total;
    }

    public static void main(String[] args) throws Exception {
        try (Transformer transformer = new Transformer(args[0], args[1], args[2], args[3], args[4], System.out)) {
            transformer.run(
                    Long.parseLong(args[5]), Integer.parseInt(args[6]), Long.parseLong(args[7]), Duration.ofMinutes(3));
        }
    }
}
