package io.varve.it.matrix;

import io.varve.storage.testing.Conditions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The matrix's probe for kafka-clients, run in a child JVM with either kafka-clients 4.4 or 3.9 on
 * its classpath, so it uses only API both have. It speaks the command contract of the probe scripts
 * (the top of {@code it/clients/python/confluent_probe.py}): one scenario a run, one fact a line.
 */
public final class JavaClientProbe {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final String CLIENT = "kafka-clients";
    /** Repeated in every produced value, so that every codec shrinks a batch (as in the scripts). */
    static final String PADDING = "x".repeat(64);

    private final PrintStream out;

    JavaClientProbe(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        new JavaClientProbe(System.out).run(args);
    }

    /** Runs one command, printing its lines to this probe's stream. */
    void run(String[] args) throws Exception {
        String bootstrap = args[1];
        switch (args[0]) {
            case "version" -> out("client kafka-clients " + clientVersion() + " from " + clientJar());
            case "produce" -> produce(bootstrap, args[2], args[3], Integer.parseInt(args[4]), args[5]);
            case "consume" -> consume(bootstrap, args[2], args[3], Integer.parseInt(args[4]));
            case "watermarks" -> watermarks(bootstrap, args[2]);
            case "group" -> group(bootstrap, args[2], args[3], Integer.parseInt(args[4]));
            case "admin" -> admin(bootstrap, args[2], Integer.parseInt(args[3]));
            case "unknown-topic" -> unknownTopic(bootstrap, args[2]);
            case "out-of-range" -> outOfRange(bootstrap, args[2], Long.parseLong(args[3]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private void out(String line) {
        out.println(line);
        out.flush();
    }

    /** kafka-clients' own version file, in the same place in 3.x and 4.x. */
    private static String clientVersion() throws IOException {
        Properties version = new Properties();
        try (InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            version.load(in);
        }
        return version.getProperty("version");
    }

    private static String clientJar() throws URISyntaxException {
        return Path.of(KafkaProducer.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .getFileName()
                .toString();
    }

    private void produce(String bootstrap, String topic, String codec, int count, String idempotent) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "50");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                List<Header> headers = List.of(
                        new RecordHeader("client", CLIENT.getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("codec", codec.getBytes(StandardCharsets.UTF_8)));
                sent.add(producer.send(
                        new ProducerRecord<>(topic, 0, "k" + i, codec + "-" + i + "-" + PADDING, headers)));
            }
            for (Future<RecordMetadata> future : sent) {
                RecordMetadata metadata = future.get();
                out("sent " + metadata.partition() + " " + metadata.offset());
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, Map<String, String> extra) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.putAll(extra);
        return new KafkaConsumer<>(p);
    }

    private void recordLine(ConsumerRecord<String, String> r) {
        String headers = java.util.stream.Stream.of(r.headers().toArray())
                .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
        out("record " + r.partition() + " " + r.offset() + " " + r.key() + " " + r.value() + " "
                + (headers.isEmpty() ? "-" : headers));
    }

    /** Polls until {@code count} records went to {@code onRecord}; exits with an error past the deadline. */
    private void poll(
            KafkaConsumer<String, String> consumer, int count, Consumer<ConsumerRecord<String, String>> onRecord) {
        int read = 0;
        Instant end = Instant.now().plus(DEADLINE);
        while (read < count && Instant.now().isBefore(end)) {
            for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                if (read < count) {
                    onRecord.accept(r);
                    read++;
                }
            }
        }
        if (read < count) {
            throw new IllegalStateException("read " + read + " of " + count + " records");
        }
    }

    private void consume(String bootstrap, String topic, String from, int count) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, Map.of())) {
            consumer.assign(Set.of(tp));
            if (from.equals("beginning")) {
                consumer.seekToBeginning(Set.of(tp));
            } else if (from.equals("end")) {
                consumer.seekToEnd(Set.of(tp));
                // position() resolves the end offset now: what is produced from here on is read
                out("position 0 " + consumer.position(tp));
                out("ready");
            } else if (from.startsWith("offset:")) {
                consumer.seek(tp, Long.parseLong(from.substring("offset:".length())));
            } else if (from.startsWith("time:")) {
                long ts = Long.parseLong(from.substring("time:".length()));
                OffsetAndTimestamp found =
                        consumer.offsetsForTimes(Map.of(tp, ts)).get(tp);
                out("offset-for-time " + ts + " " + found.offset());
                consumer.seek(tp, found.offset());
            } else {
                throw new IllegalArgumentException("unknown start " + from);
            }
            poll(consumer, count, this::recordLine);
        }
    }

    private void watermarks(String bootstrap, String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, Map.of())) {
            out("watermarks 0 " + consumer.beginningOffsets(Set.of(tp)).get(tp) + " "
                    + consumer.endOffsets(Set.of(tp)).get(tp));
        }
    }

    private void group(String bootstrap, String topic, String group, int count) {
        Map<String, String> settings =
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, settings)) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            poll(consumer, count, r -> {
                recordLine(r);
                read.add(r);
            });
            ConsumerRecord<String, String> last = read.get(read.size() - 1);
            TopicPartition tp = new TopicPartition(topic, last.partition());
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(last.offset() + 1)));
            out("committed " + tp.partition() + " "
                    + consumer.committed(Set.of(tp)).get(tp).offset());
        }
    }

    private void admin(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get();
            out("created " + topic);
            TopicDescription described =
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            String leaders = described.partitions().stream()
                    .map(TopicPartitionInfo::leader)
                    .map(leader -> String.valueOf(leader.id()))
                    .collect(Collectors.joining(","));
            out("described " + topic + " partitions " + described.partitions().size() + " leaders " + leaders);
            out("listed " + topic + " " + capitalized(awaitListed(admin, topic, true)));
            admin.deleteTopics(List.of(topic)).all().get();
            out("deleted " + topic);
            out("listed " + topic + " " + capitalized(awaitListed(admin, topic, false)));
        }
    }

    /** The scripts print Python's booleans; so does this probe, for one expected line for all. */
    private static String capitalized(boolean value) {
        return value ? "True" : "False";
    }

    private static boolean awaitListed(Admin admin, String topic, boolean expected) throws Exception {
        boolean reached = Conditions.awaitTrue(
                DEADLINE, () -> admin.listTopics().names().get().contains(topic) == expected);
        return reached == expected;
    }

    private void unknownTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.describeTopics(List.of(topic)).allTopicNames().get();
            out("error none");
        } catch (ExecutionException e) {
            out("error " + e.getCause().getClass().getSimpleName());
        }
    }

    private void outOfRange(String bootstrap, String topic, long offset) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, Map.of())) {
            consumer.assign(Set.of(tp));
            consumer.seek(tp, offset);
            Instant end = Instant.now().plus(DEADLINE);
            while (Instant.now().isBefore(end)) {
                try {
                    if (!consumer.poll(POLL).isEmpty()) {
                        throw new IllegalStateException("read a record at or after offset " + offset);
                    }
                } catch (OffsetOutOfRangeException e) {
                    out("error " + e.getClass().getSimpleName() + " " + e.offsetOutOfRangePartitions());
                    return;
                }
            }
        }
    }
}
