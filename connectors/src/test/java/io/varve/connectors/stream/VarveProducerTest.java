package io.varve.connectors.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.support.Clients;
import io.varve.connectors.support.TestNode;
import io.varve.storage.testing.Conditions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process sink and flow, checked against Kafka's own clients reading the same log. */
class VarveProducerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static EmbeddedVarve node;
    private static Admin admin;

    @BeforeAll
    static void start() {
        node = TestNode.builder().start();
        admin = Clients.admin(node);
    }

    @AfterAll
    static void stop() {
        admin.close();
        TestNode.close(node);
    }

    private static SinkSettings<String, String> strings() {
        return SinkSettings.create(new StringSerializer(), new StringSerializer());
    }

    @Test
    void sinkWritesRecordsAKafkaConsumerReadsExactly() throws Exception {
        node.createTopic("sink-exact", 1);
        TopicPartition tp = new TopicPartition("sink-exact", 0);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(new RecordHeader("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
            records.add(new ProducerRecord<>("sink-exact", 0, 1_700_000_000_000L + i, "k" + i, "v" + i, headers));
        }
        Source.from(records)
                .runWith(VarveProducer.sink(node, strings()), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);

        List<ConsumerRecord<String, String>> read = Clients.read(node, tp, 0, 2000, DEADLINE);
        assertThat(read).hasSize(2000);
        for (int i = 0; i < 2000; i++) {
            ConsumerRecord<String, String> r = read.get(i);
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.key()).isEqualTo("k" + i);
            assertThat(r.value()).isEqualTo("v" + i);
            assertThat(r.timestamp()).isEqualTo(1_700_000_000_000L + i);
            assertThat(new String(r.headers().lastHeader("n").value(), StandardCharsets.UTF_8))
                    .isEqualTo(Integer.toString(i));
        }
        assertThat(Clients.latestOffset(admin, tp)).isEqualTo(2000);
    }

    @Test
    void flowEmitsEachRecordsOffsetInInputOrderAndKeysPartitionAsKafkasProducer() throws Exception {
        node.createTopic("flow-keys", 4);
        List<ProducerMessage<String, String, Integer>> messages = IntStream.range(0, 400)
                .mapToObj(i -> ProducerMessage.of(new ProducerRecord<>("flow-keys", "key-" + (i % 10), "v" + i), i))
                .toList();
        List<ProducerResult<String, String, Integer>> results = Source.from(messages)
                .via(VarveProducer.<String, String, Integer>flow(node, strings()))
                .runWith(Sink.seq(), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);

        assertThat(results)
                .extracting(ProducerResult::passThrough)
                .containsExactlyElementsOf(IntStream.range(0, 400).boxed().toList());
        // a Kafka producer puts the same keys on the same partitions (of a topic as large)
        node.createTopic("flow-keys-kafka", 4);
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            for (int k = 0; k < 10; k++) {
                RecordMetadata kafka = producer.send(new ProducerRecord<>("flow-keys-kafka", "key-" + k, "probe"))
                        .get();
                int key = k;
                assertThat(results.stream().filter(r -> r.record().key().equals("key-" + key)))
                        .allSatisfy(r -> assertThat(r.partition()).isEqualTo(kafka.partition()));
            }
        }
        // per partition, offsets are 0.. in input order, and a consumer finds each record at its offset
        for (int p = 0; p < 4; p++) {
            int partition = p;
            List<ProducerResult<String, String, Integer>> mine =
                    results.stream().filter(r -> r.partition() == partition).toList();
            assertThat(mine)
                    .extracting(ProducerResult::offset)
                    .containsExactlyElementsOf(IntStream.range(0, mine.size())
                            .mapToObj(i -> (long) i)
                            .toList());
            List<ConsumerRecord<String, String>> read =
                    Clients.read(node, new TopicPartition("flow-keys", p), 0, mine.size(), DEADLINE);
            assertThat(read)
                    .extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(
                            mine.stream().map(r -> r.record().value()).toList());
        }
    }

    @Test
    void acksLeaderAndNoneAlsoWriteAndNoneReportsNoOffset() throws Exception {
        node.createTopic("acks", 1);
        List<ProducerResult<String, String, NotUsed>> leader = Source.range(0, 99)
                .map(i -> ProducerMessage.of(new ProducerRecord<String, String>("acks", "a" + i), NotUsed.notUsed()))
                .via(VarveProducer.<String, String, NotUsed>flow(node, strings().withAcks(Acks.LEADER)))
                .runWith(Sink.seq(), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(leader)
                .extracting(ProducerResult::offset)
                .containsExactlyElementsOf(
                        IntStream.range(0, 100).mapToObj(i -> (long) i).toList());
        List<ProducerResult<String, String, NotUsed>> none = Source.range(0, 99)
                .map(i -> ProducerMessage.of(new ProducerRecord<String, String>("acks", "n" + i), NotUsed.notUsed()))
                .via(VarveProducer.<String, String, NotUsed>flow(node, strings().withAcks(Acks.NONE)))
                .runWith(Sink.seq(), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(none).extracting(ProducerResult::offset).containsOnly(-1L);
        TopicPartition tp = new TopicPartition("acks", 0);
        assertThat(Conditions.awaitTrue(DEADLINE, () -> Clients.latestOffset(admin, tp) == 200))
                .isTrue();
        assertThat(Clients.read(node, tp, 100, 100, DEADLINE))
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(
                        IntStream.range(0, 100).mapToObj(i -> "n" + i).toList());
        assertThatThrownBy(() ->
                        VarveProducer.sink(node, strings().withAcks(Acks.LEADER).withIdempotence(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("acks=all");
    }

    @Test
    void idempotentSinkWritesUnderItsOwnProducerIdAsAdminDescribesIt() throws Exception {
        node.createTopic("idempotent", 1);
        TopicPartition tp = new TopicPartition("idempotent", 0);
        Source.range(0, 499)
                .map(i -> new ProducerRecord<String, String>("idempotent", "v" + i))
                .runWith(VarveProducer.sink(node, strings()), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        List<ProducerState> producers =
                admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers();
        assertThat(producers).singleElement().satisfies(p -> {
            assertThat(p.producerId()).isNotNegative();
            assertThat(p.producerEpoch()).isZero();
            assertThat(p.lastSequence()).isEqualTo(499);
        });
        // a Kafka idempotent producer appends after it under its own id
        try (KafkaProducer<String, String> producer =
                Clients.producer(node, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            assertThat(producer.send(new ProducerRecord<>("idempotent", "kafka"))
                            .get()
                            .offset())
                    .isEqualTo(500);
        }
    }

    @Test
    void acknowledgingSinkCompletesEveryElementsFuture() throws Exception {
        node.createTopic("futures", 2);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<ProducerMessage<String, String, CompletableFuture<RecordMetadata>>> messages = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
            futures.add(future);
            messages.add(ProducerMessage.of(new ProducerRecord<>("futures", i % 2, null, "f" + i), future));
        }
        Done done = Source.from(messages)
                .runWith(VarveProducer.acknowledgingSink(node, strings()), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(done).isEqualTo(Done.getInstance());
        for (int i = 0; i < 50; i++) {
            RecordMetadata metadata = futures.get(i).get();
            assertThat(metadata.partition()).isEqualTo(i % 2);
            assertThat(metadata.offset()).isEqualTo(i / 2);
        }
    }

    @Test
    void unknownTopicFailsTheSinkAndEveryPendingFuture() {
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        CompletableFuture<Done> done = Source.single(
                        ProducerMessage.of(new ProducerRecord<String, String>("no-such-topic", "x"), future))
                .runWith(VarveProducer.acknowledgingSink(node, strings()), node.system())
                .toCompletableFuture();
        assertThatThrownBy(() -> done.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(UnknownTopicOrPartitionException.class)
                .hasMessageContaining("'no-such-topic' does not exist on node 1");
        assertThat(future).isCompletedExceptionally();
    }

    @Test
    void backpressureTakesNoMoreThanTheBufferFromUpstream() throws Exception {
        node.createTopic("backpressure", 1);
        TopicPartition tp = new TopicPartition("backpressure", 0);
        AtomicInteger taken = new AtomicInteger();
        // results are not read: the stage may hold at most 10 records it took from upstream
        SinkQueueWithCancel<ProducerResult<String, String, NotUsed>> results = Source.range(0, 999)
                .map(i -> {
                    taken.incrementAndGet();
                    return ProducerMessage.of(
                            new ProducerRecord<String, String>("backpressure", "b" + i), NotUsed.notUsed());
                })
                .via(VarveProducer.<String, String, NotUsed>flow(node, strings().withMaxBufferedRecords(10)))
                .toMat(
                        Sink.<ProducerResult<String, String, NotUsed>>queue(1)
                                .addAttributes(Attributes.inputBuffer(1, 1)),
                        Keep.right())
                .run(node.system());
        // the 10 are written; then upstream is held back until results are read
        assertThat(Conditions.awaitTrue(DEADLINE, () -> Clients.latestOffset(admin, tp) >= 10))
                .isTrue();
        assertThat(Clients.latestOffset(admin, tp)).isLessThanOrEqualTo(11);
        assertThat(taken.get()).isLessThanOrEqualTo(12);
        for (int i = 0; i < 1000; i++) {
            assertThat(results.pull().toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .hasValueSatisfying(r -> assertThat(r.offset()).isNotNegative());
        }
        assertThat(taken.get()).isEqualTo(1000);
        assertThat(Clients.latestOffset(admin, tp)).isEqualTo(1000);
    }
}
