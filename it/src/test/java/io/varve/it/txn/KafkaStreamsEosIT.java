package io.varve.it.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams 4.4 application with {@code processing.guarantee=exactly_once_v2} on Varve: a
 * count per key in a state store with its changelog, caching off so every input emits exactly one
 * update. The read_committed output of each key is exactly 1, 2, …, n, also across a restart that
 * throws away the local state and restores it from the changelog.
 */
class KafkaStreamsEosIT {
    private static final int KEYS = 5;
    private static final int PER_KEY_PER_ROUND = 20;

    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension();

    @TempDir
    Path stateDir;

    private KafkaStreams start() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("clicks", Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .count(Materialized.as("click-counts"))
                .toStream()
                .to("click-totals", Produced.with(Serdes.String(), Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "clicks-app");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, node.cluster().bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return streams;
    }

    private void produceRound(int round) {
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            for (int i = 0; i < PER_KEY_PER_ROUND; i++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(new ProducerRecord<>("clicks", "user-" + k, "r" + round + "-" + i));
                }
            }
        }
    }

    /** The committed count updates per key, in log order. */
    private Map<String, List<Long>> totals(int expectedPerKey) throws InterruptedException {
        Map<String, List<Long>> totals = new LinkedHashMap<>();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.cluster().bootstrapServers());
        props.put(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                IsolationLevel.READ_COMMITTED.toString().toLowerCase());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, Long> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new LongDeserializer())) {
            List<TopicPartition> partitions =
                    List.of(new TopicPartition("click-totals", 0), new TopicPartition("click-totals", 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Conditions.awaitTrue(Duration.ofSeconds(90), () -> {
                for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(200))) {
                    totals.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
                }
                return totals.size() == KEYS
                        && totals.values().stream().allMatch(counts -> counts.size() >= expectedPerKey);
            });
        }
        return totals;
    }

    private static List<Long> oneTo(int n) {
        List<Long> counts = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            counts.add(i);
        }
        return counts;
    }

    @Test
    void countsAreExactAcrossARestartRestoringStateFromTheChangelog() throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic("clicks", 2, (short) 1), new NewTopic("click-totals", 2, (short) 1)))
                .all()
                .get();

        produceRound(1);
        try (KafkaStreams streams = start()) {
            Map<String, List<Long>> first = totals(PER_KEY_PER_ROUND);
            assertThat(first).hasSize(KEYS);
            first.values().forEach(counts -> assertThat(counts).containsExactlyElementsOf(oneTo(PER_KEY_PER_ROUND)));
            streams.close(Duration.ofSeconds(30));
        }
        deleteLocalState();

        produceRound(2);
        try (KafkaStreams streams = start()) {
            Map<String, List<Long>> both = totals(2 * PER_KEY_PER_ROUND);
            both.values().forEach(counts -> assertThat(counts).containsExactlyElementsOf(oneTo(2 * PER_KEY_PER_ROUND)));
            streams.close(Duration.ofSeconds(30));
        }
        assertThat(node.admin().listTopics().names().get()).contains("clicks-app-click-counts-changelog");
    }

    private void deleteLocalState() throws Exception {
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!file.equals(stateDir)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
