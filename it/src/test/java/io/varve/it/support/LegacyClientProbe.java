package io.varve.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A small Kafka client program run in a child JVM with an older kafka-clients (3.9) and without the
 * 4.x client, so it uses only API present in both. It prints what it did, one fact a line, for the
 * test to compare exactly:
 *
 * <pre>
 *   produce-and-read BOOTSTRAP N   create legacy-CODEC (1 partition) for each codec, produce N records
 *                                  with it (acks=all, idempotent), read them back with assign/seek,
 *                                  then list the topics
 *   read BOOTSTRAP TOPIC N         read N records of TOPIC partition 0 from offset 0
 * </pre>
 */
public final class LegacyClientProbe {
    static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    private static final Duration READ_DEADLINE = Duration.ofSeconds(30);

    private LegacyClientProbe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("client " + clientVersion() + " from " + clientJar());
        String bootstrap = args[1];
        if ("produce-and-read".equals(args[0])) {
            produceAndRead(bootstrap, Integer.parseInt(args[2]));
        } else if ("read".equals(args[0])) {
            read(bootstrap, args[2], Integer.parseInt(args[3]));
        } else {
            throw new IllegalArgumentException("unknown command " + args[0]);
        }
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
        URI jar = KafkaProducer.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI();
        return Path.of(jar).getFileName().toString();
    }

    private static void produceAndRead(String bootstrap, int count) throws Exception {
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminProps)) {
            List<NewTopic> topics = new ArrayList<>();
            for (String codec : CODECS) {
                topics.add(new NewTopic("legacy-" + codec, 1, (short) 1));
            }
            admin.createTopics(topics).all().get();
            System.out.println("created " + topics.size() + " topics");
            for (String codec : CODECS) {
                produce(bootstrap, codec, count);
                read(bootstrap, "legacy-" + codec, count);
            }
            System.out.println(
                    "topics " + new TreeSet<>(admin.listTopics().names().get()));
        }
    }

    private static void produce(String bootstrap, String codec, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            StringBuilder offsets = new StringBuilder("sent " + codec);
            for (int i = 0; i < count; i++) {
                var metadata = producer.send(new ProducerRecord<>("legacy-" + codec, 0, "k" + i, codec + "-" + i))
                        .get();
                offsets.append(' ').append(metadata.partition()).append(':').append(metadata.offset());
            }
            System.out.println(offsets);
        }
    }

    private static void read(String bootstrap, String topic, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            int read = 0;
            Instant deadline = Instant.now().plus(READ_DEADLINE);
            while (read < count && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    System.out.println("read " + topic + " " + r.offset() + " " + r.key() + "=" + r.value());
                    read++;
                }
            }
        }
    }
}
