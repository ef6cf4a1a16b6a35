package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveCluster;
import io.varve.storage.testing.Conditions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A fetch parked on an empty partition wakes up for a record produced while it waits, and a topic is
 * writable the moment CreateTopics answers.
 */
class LongPollIT {
    /** Far above {@link #RECEIVE_DEADLINE}: only a fetch woken by the new record answers in time. */
    private static final int FETCH_MAX_WAIT_MS = 120_000;

    private static final Duration RECEIVE_DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path dataDir;

    static VarveCluster cluster;
    static Admin admin;
    static ExecutorService consumerThread;

    @BeforeAll
    static void start() throws Exception {
        cluster = VarveCluster.start(dataDir);
        admin = Clients.admin(cluster);
        consumerThread = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        consumerThread.shutdownNow();
        consumerThread.awaitTermination(30, TimeUnit.SECONDS);
        admin.close();
        cluster.close();
    }

    /** What the consumer thread hands over once its position is known: its sent-requests counter. */
    private record Waiting(Metric requestsToLeader, double requestsBeforePoll) {
        boolean hasSentFetch() {
            return ((Number) requestsToLeader.metricValue()).doubleValue() > requestsBeforePoll;
        }
    }

    @ParameterizedTest(name = "{0} partition(s), record to partition {1}")
    @CsvSource({"1,0", "3,2"})
    void aWaitingFetchReceivesARecordProducedWhileItWaits(int partitions, int target) throws Exception {
        String topic = "long-poll-" + partitions;
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get();
        Set<TopicPartition> assigned = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            assigned.add(new TopicPartition(topic, p));
        }
        CompletableFuture<Waiting> waiting = new CompletableFuture<>();
        KafkaConsumer<String, String> consumer = Clients.consumer(
                cluster,
                Map.of(
                        ConsumerConfig.FETCH_MIN_BYTES_CONFIG,
                        10,
                        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                        FETCH_MAX_WAIT_MS,
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        FETCH_MAX_WAIT_MS + 30_000));
        CompletableFuture<List<ConsumerRecord<String, String>>> received = CompletableFuture.supplyAsync(
                () -> {
                    consumer.assign(assigned);
                    consumer.seekToBeginning(assigned);
                    assigned.forEach(tp -> assertThat(consumer.position(tp)).isZero());
                    Metric requests = requestsToNode(consumer, 1);
                    waiting.complete(new Waiting(requests, ((Number) requests.metricValue()).doubleValue()));
                    return Clients.pollUntil(consumer, 1, RECEIVE_DEADLINE);
                },
                consumerThread);
        try {
            Waiting probe = waiting.get(30, TimeUnit.SECONDS);
            assertThat(Conditions.awaitTrue(Duration.ofSeconds(30), probe::hasSentFetch))
                    .as("the consumer sent its fetch")
                    .isTrue();

            try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
                producer.send(new ProducerRecord<>(topic, target, "key", "woken"))
                        .get();
            }

            assertThat(received.get(RECEIVE_DEADLINE.toSeconds() + 30, TimeUnit.SECONDS))
                    .extracting(
                            ConsumerRecord::partition,
                            ConsumerRecord::offset,
                            ConsumerRecord::key,
                            ConsumerRecord::value)
                    .containsExactly(tuple(target, 0L, "key", "woken"));
        } finally {
            closeAfter(consumer, received);
        }
    }

    /**
     * Closes the consumer once its thread is done. Without a timeout: the consumer's next fetch is
     * parked on the broker for {@code fetch.max.wait.ms}, and its close would wait for that answer
     * (responses on a connection keep request order, in Kafka too).
     */
    private static void closeAfter(KafkaConsumer<String, String> consumer, CompletableFuture<?> work)
            throws InterruptedException {
        if (!work.isDone()) {
            consumer.wakeup();
        }
        try {
            work.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the test has already failed on the outcome of this work
        }
        consumer.close(CloseOptions.timeout(Duration.ZERO));
    }

    @Test
    void anIdempotentProducerWritesTheMomentCreateTopicsReturns() throws Exception {
        String topic = "fresh-idempotent";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = Clients.producer(
                cluster,
                Map.of(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        15_000))) {
            RecordMetadata first =
                    producer.send(new ProducerRecord<>(topic, 0, "k", "first")).get();

            assertThat(first.offset()).isZero();
            // Idempotence requires retries > 0, so the proof that none was needed is the counters.
            assertThat(producerMetric(producer, "record-retry-total")).isZero();
            assertThat(producerMetric(producer, "record-error-total")).isZero();
        }
    }

    @Test
    void aProducerWithoutRetriesWritesTheMomentCreateTopicsReturns() throws Exception {
        String topic = "fresh-no-retries";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = Clients.producer(
                cluster,
                Map.of(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                        ProducerConfig.RETRIES_CONFIG, 0,
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000))) {
            RecordMetadata first =
                    producer.send(new ProducerRecord<>(topic, 0, "k", "first")).get();

            assertThat(first.offset()).isZero();
        }
    }

    private static Metric requestsToNode(KafkaConsumer<String, String> consumer, int nodeId) {
        return consumer.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("consumer-node-metrics")
                        && e.getKey().name().equals("request-total")
                        && ("node-" + nodeId).equals(e.getKey().tags().get("node-id")))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no request-total metric for node " + nodeId));
    }

    private static double producerMetric(KafkaProducer<String, String> producer, String name) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("producer-metrics")
                        && e.getKey().name().equals(name))
                .map(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no producer metric " + name));
    }
}
