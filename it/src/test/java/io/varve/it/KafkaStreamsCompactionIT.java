package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.Clients;
import io.varve.it.support.CompactedPartitions;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams (4.x, RocksDB) on Varve: a KTable's changelog topic, created compacted by Streams, is
 * compacted by Varve's cleaner; after the application restarts with empty local state it restores the
 * table from that compacted changelog and holds the latest value of every key.
 */
class KafkaStreamsCompactionIT {
    private static final String APP = "ktable-restore";
    private static final String INPUT = "ktable-input";
    private static final String STORE = "latest";
    private static final TopicPartition CHANGELOG = new TopicPartition(APP + "-" + STORE + "-changelog", 0);
    private static final int KEYS = 100;
    private static final int UPDATES = 3_000;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension(Map.of("varve.cleaner.backoff", "100ms"));

    @TempDir
    Path stateDirs;

    @Test
    void aKTableIsRestoredFromItsCompactedChangelogAfterARestart() throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic(INPUT, 1, (short) 1)))
                .all()
                .get();
        Map<String, String> latest = produceUpdates();

        try (KafkaStreams first = start(stateDirs.resolve("first"), new AtomicLong())) {
            assertThat(awaitTable(first, latest))
                    .as("the table of the first run")
                    .isTrue();
            boolean compacted = Conditions.awaitTrue(
                    DEADLINE,
                    () -> CompactedPartitions.cleanedUpTo(node.cluster().dataDir(), CHANGELOG) > UPDATES / 2);
            assertThat(compacted)
                    .as("Varve cleaned the changelog %s", CHANGELOG)
                    .isTrue();
        }
        long changelogRecords;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), Map.of())) {
            changelogRecords =
                    CompactedPartitions.readAll(consumer, CHANGELOG, DEADLINE).size();
        }
        assertThat(changelogRecords).as("records left in the changelog").isLessThan(UPDATES / 2);

        AtomicLong restored = new AtomicLong();
        try (KafkaStreams second = start(stateDirs.resolve("second"), restored)) {
            assertThat(awaitTable(second, latest))
                    .as("the table restored by the second run")
                    .isTrue();
            assertThat(restored.get()).isEqualTo(changelogRecords);
        }
    }

    /** {@code UPDATES} updates of {@code KEYS} keys, 1 ms apart in record time; returns each key's last value. */
    private static Map<String, String> produceUpdates() throws Exception {
        Map<String, String> latest = new HashMap<>();
        long timestamp = System.currentTimeMillis() - 600_000;
        try (KafkaProducer<String, String> producer =
                Clients.producer(node.cluster(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < UPDATES; i++) {
                String key = "key-" + (i * 13 % KEYS);
                String value = "value-" + i;
                producer.send(new ProducerRecord<>(INPUT, 0, timestamp + i, key, value));
                latest.put(key, value);
            }
            producer.flush();
        }
        return latest;
    }

    /**
     * The application: the latest value of each input key in a RocksDB table whose changelog Streams
     * creates compacted, rolling a segment every 100 ms of record time so there is something to clean.
     */
    private static KafkaStreams start(Path stateDir, AtomicLong restored) throws Exception {
        Files.createDirectories(stateDir);
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .reduce(
                        (older, newer) -> newer,
                        Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as(STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(Serdes.String())
                                .withLoggingEnabled(Map.of(
                                        TopicConfig.SEGMENT_MS_CONFIG, "100",
                                        TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01")));
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, node.cluster().bootstrapServers());
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0); // every update reaches the changelog
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        KafkaStreams streams = new KafkaStreams(builder.build(), config);
        streams.setGlobalStateRestoreListener(new CountingRestoreListener(restored));
        streams.start();
        return streams;
    }

    /** Waits until the application runs and its table holds exactly {@code expected}. */
    private static boolean awaitTable(KafkaStreams streams, Map<String, String> expected) throws InterruptedException {
        return Conditions.awaitTrue(DEADLINE, () -> {
            if (streams.state() != KafkaStreams.State.RUNNING) {
                return false;
            }
            ReadOnlyKeyValueStore<String, String> store =
                    streams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
            Map<String, String> table = new HashMap<>();
            try (KeyValueIterator<String, String> all = store.all()) {
                all.forEachRemaining((KeyValue<String, String> kv) -> table.put(kv.key, kv.value));
            }
            return table.equals(expected);
        });
    }

    private record CountingRestoreListener(AtomicLong restored) implements StateRestoreListener {
        @Override
        public void onRestoreStart(TopicPartition tp, String store, long startingOffset, long endingOffset) {}

        @Override
        public void onBatchRestored(TopicPartition tp, String store, long batchEndOffset, long numRestored) {
            restored.addAndGet(numRestored);
        }

        @Override
        public void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {}
    }
}
