package io.varve.connectors.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.support.Clients;
import io.varve.connectors.support.TestNode;
import io.varve.storage.testing.Conditions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process sources, checked against what Kafka's own producer wrote to the same log. */
class VarveConsumerTest {
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

    private static SourceSettings<String, String> strings() {
        return SourceSettings.create(new StringDeserializer(), new StringDeserializer());
    }

    private static <T> List<T> collect(Source<T, NotUsed> source, int count) throws Exception {
        return source.take(count)
                .runWith(Sink.seq(), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private static void produce(String topic, Integer partition, int from, int count, int valueBytes) throws Exception {
        try (KafkaProducer<String, String> producer =
                Clients.producer(node, Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int i = from; i < from + count; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(new RecordHeader("i", Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
                String value = "v" + i + "-" + "x".repeat(valueBytes);
                producer.send(new ProducerRecord<>(topic, partition, 1_700_000_000_000L + i, "k" + i, value, headers));
            }
            producer.flush();
        }
    }

    @Test
    void partitionSourceReadsWhatAKafkaProducerWroteExactly() throws Exception {
        node.createTopic("read-exact", 1);
        // 3,000 records of ~200 bytes: most reads are too large to come back in memory and are read
        // from the segment file on the storage dispatcher
        produce("read-exact", 0, 0, 3000, 200);
        TopicPartition tp = new TopicPartition("read-exact", 0);
        List<ConsumerRecord<String, String>> read =
                collect(VarveConsumer.partitionSource(node, strings(), tp, StartOffset.earliest()), 3000);
        List<ConsumerRecord<String, String>> kafka = Clients.read(node, tp, 0, 3000, DEADLINE);
        assertThat(read).hasSize(3000);
        for (int i = 0; i < 3000; i++) {
            ConsumerRecord<String, String> r = read.get(i);
            assertThat(r.topic()).isEqualTo("read-exact");
            assertThat(r.partition()).isZero();
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.key()).isEqualTo("k" + i);
            assertThat(r.value()).isEqualTo("v" + i + "-" + "x".repeat(200));
            assertThat(r.timestamp()).isEqualTo(1_700_000_000_000L + i);
            assertThat(r.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
            assertThat(new String(r.headers().lastHeader("i").value(), StandardCharsets.UTF_8))
                    .isEqualTo(Integer.toString(i));
            // field by field what Kafka's consumer reads from the same log
            ConsumerRecord<String, String> k = kafka.get(i);
            assertThat(r.serializedValueSize()).isEqualTo(k.serializedValueSize());
            assertThat(r.leaderEpoch()).isEqualTo(k.leaderEpoch());
        }
    }

    @Test
    void partitionRecordsCarryExactlyTheBytesAKafkaProducerWrote() throws Exception {
        node.createTopic("records-exact", 1);
        // 3,000 records of ~200 bytes: most reads come from the segment file, as above
        produce("records-exact", 0, 0, 3000, 200);
        TopicPartition tp = new TopicPartition("records-exact", 0);
        List<VarveRecord> read =
                collect(VarveConsumer.partitionRecords(node, strings(), tp, StartOffset.earliest()), 3000);
        List<ConsumerRecord<String, String>> kafka = Clients.read(node, tp, 0, 3000, DEADLINE);
        StringDeserializer strings = new StringDeserializer();
        assertThat(read).hasSize(3000);
        for (int i = 0; i < 3000; i++) {
            VarveRecord r = read.get(i);
            ConsumerRecord<String, String> k = kafka.get(i);
            assertThat(r.topicPartition()).isEqualTo(tp);
            assertThat(r.offset()).isEqualTo(i);
            assertThat(new String(r.keyBytes(), StandardCharsets.UTF_8)).isEqualTo("k" + i);
            assertThat(r.value(strings)).isEqualTo("v" + i + "-" + "x".repeat(200));
            assertThat(r.timestamp()).isEqualTo(1_700_000_000_000L + i);
            assertThat(r.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
            assertThat(new String(r.headers().lastHeader("i").value(), StandardCharsets.UTF_8))
                    .isEqualTo(Integer.toString(i));
            // field by field what Kafka's consumer reads from the same log
            assertThat(r.serializedKeySize()).isEqualTo(k.serializedKeySize());
            assertThat(r.serializedValueSize()).isEqualTo(k.serializedValueSize());
            assertThat(r.leaderEpoch()).isEqualTo(k.leaderEpoch());
            ConsumerRecord<String, String> converted = r.toConsumerRecord(strings, strings);
            assertThat(converted.key()).isEqualTo(k.key());
            assertThat(converted.value()).isEqualTo(k.value());
            assertThat(converted.offset()).isEqualTo(k.offset());
        }
    }

    @Test
    void topicAndAssignedRecordsMergeEveryPartitionInOrderWithinEach() throws Exception {
        node.createTopic("merged-records", 3);
        produce("merged-records", null, 0, 600, 10);
        StringDeserializer strings = new StringDeserializer();
        List<VarveRecord> read =
                collect(VarveConsumer.topicRecords(node, strings(), "merged-records", StartOffset.earliest()), 600);
        assertThat(read)
                .extracting(r -> r.key(strings))
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, 600).mapToObj(i -> "k" + i).toList());
        int[] sizes = new int[3];
        for (int p = 0; p < 3; p++) {
            int partition = p;
            List<Long> offsets = read.stream()
                    .filter(r -> r.partition() == partition)
                    .map(VarveRecord::offset)
                    .toList();
            assertThat(offsets).containsExactlyElementsOf(LongStreamOf(0, offsets.size()));
            sizes[p] = offsets.size();
        }
        // assigned: partition 0 from offset 5, partition 2 from its start; partition 1 not read
        TopicPartition p0 = new TopicPartition("merged-records", 0);
        TopicPartition p2 = new TopicPartition("merged-records", 2);
        List<VarveRecord> assigned = collect(
                VarveConsumer.assignedRecords(
                        node, strings(), Map.of(p0, StartOffset.at(5), p2, StartOffset.earliest())),
                sizes[0] - 5 + sizes[2]);
        assertThat(assigned.stream().filter(r -> r.partition() == 0))
                .extracting(VarveRecord::offset, r -> r.key(strings))
                .containsExactlyElementsOf(read.stream()
                        .filter(r -> r.partition() == 0 && r.offset() >= 5)
                        .map(r -> org.assertj.core.groups.Tuple.tuple(r.offset(), r.key(strings)))
                        .toList());
        assertThat(assigned.stream().filter(r -> r.partition() == 2))
                .extracting(VarveRecord::offset)
                .containsExactlyElementsOf(LongStreamOf(0, sizes[2]));
        assertThat(assigned).noneMatch(r -> r.partition() == 1);
    }

    @Test
    void startsAtAnOffsetOrTheLatestAndWaitsForNewRecords() throws Exception {
        node.createTopic("start-at", 1);
        produce("start-at", 0, 0, 100, 10);
        TopicPartition tp = new TopicPartition("start-at", 0);
        assertThat(collect(VarveConsumer.partitionSource(node, strings(), tp, StartOffset.at(60)), 40))
                .extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(LongStreamOf(60, 100));

        // caught up at offset 100, the source parks a long poll in the partition; a Kafka
        // producer's record wakes it (no timer: without the wake-up this pull would never complete)
        SinkQueueWithCancel<ConsumerRecord<String, String>> waiting = VarveConsumer.partitionSource(
                        node, strings(), tp, StartOffset.at(100))
                .toMat(
                        Sink.<ConsumerRecord<String, String>>queue(1).addAttributes(Attributes.inputBuffer(1, 1)),
                        Keep.right())
                .run(node.system());
        var next = waiting.pull().toCompletableFuture();
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            producer.send(new ProducerRecord<>("start-at", 0, "late", "wake-up"))
                    .get();
        }
        ConsumerRecord<String, String> woken = next.get(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(woken.offset()).isEqualTo(100);
        assertThat(woken.value()).isEqualTo("wake-up");
        waiting.cancel();

        // "latest" skips the 101 records there; records written after it resolved arrive
        SinkQueueWithCancel<ConsumerRecord<String, String>> latest = VarveConsumer.partitionSource(
                        node, strings(), tp, StartOffset.latest())
                .toMat(
                        Sink.<ConsumerRecord<String, String>>queue(1).addAttributes(Attributes.inputBuffer(1, 1)),
                        Keep.right())
                .run(node.system());
        var first = latest.pull().toCompletableFuture();
        try (KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            // until the source has resolved "latest" and read one: each send is a chance
            for (int i = 0; !first.isDone() && i < 300; i++) {
                producer.send(new ProducerRecord<>("start-at", 0, "late", "after-" + i))
                        .get();
                Conditions.awaitTrue(Duration.ofMillis(100), first::isDone);
            }
        }
        ConsumerRecord<String, String> after = first.get(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(after.offset()).isGreaterThanOrEqualTo(101);
        assertThat(after.value()).isEqualTo("after-" + (after.offset() - 101));
        latest.cancel();
    }

    /** {@code count} records of ~100 bytes to partition 0, in batches of at most 1 KiB (the native sink's batch size). */
    private static void produceInSmallBatches(String topic, int count) throws Exception {
        Source.range(0, count - 1)
                .map(i -> new ProducerRecord<String, String>(topic, 0, "k", "v" + "-".repeat(90) + i))
                .runWith(
                        VarveProducer.sink(
                                node,
                                SinkSettings.create(new StringSerializer(), new StringSerializer())
                                        .withBatchBytes(1024)),
                        node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void readingStartsNoThreadPerRead() throws Exception {
        // the surefire JVM runs with a common pool of parallelism 1 (connectors/pom.xml), as on every
        // 2-CPU machine: there CompletableFuture's default executor starts a new thread per task
        assertThat(ForkJoinPool.getCommonPoolParallelism()).isEqualTo(1);
        node.createTopic("thread-per-read", 1);
        produceInSmallBatches("thread-per-read", 2000);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long startedBefore = threads.getTotalStartedThreadCount();

        // a read of at most 1 KiB returns whole batches of at most 1 KiB (10 records of ~100 bytes or
        // fewer): 200 reads at least
        List<VarveRecord> read = collect(
                VarveConsumer.partitionRecords(
                        node,
                        strings().withMaxBytesPerRead(1024),
                        new TopicPartition("thread-per-read", 0),
                        StartOffset.earliest()),
                2000);

        long started = threads.getTotalStartedThreadCount() - startedBefore;
        assertThat(read).extracting(VarveRecord::offset).containsExactlyElementsOf(LongStreamOf(0, 2000));
        // a few threads may start anyway (a dispatcher growing); one per read was 10% of a reading stream's CPU
        assertThat(started).as("threads started while reading").isLessThan(20);
    }

    @Test
    void readsOnlyAsFarAsDemandAsks() throws Exception {
        node.createTopic("demand", 1);
        produceInSmallBatches("demand", 5000);
        AtomicInteger decoded = new AtomicInteger();
        StringDeserializer strings = new StringDeserializer();
        Deserializer<String> counting = (topic, data) -> {
            decoded.incrementAndGet();
            return strings.deserialize(topic, data);
        };
        SourceSettings<String, String> settings =
                SourceSettings.create(new StringDeserializer(), counting).withMaxBytesPerRead(1024);
        SinkQueueWithCancel<ConsumerRecord<String, String>> queue = VarveConsumer.partitionSource(
                        node, settings, new TopicPartition("demand", 0), StartOffset.earliest())
                .toMat(
                        Sink.<ConsumerRecord<String, String>>queue(1).addAttributes(Attributes.inputBuffer(1, 1)),
                        Keep.right())
                .run(node.system());
        for (int i = 0; i < 20; i++) {
            assertThat(queue.pull()
                            .toCompletableFuture()
                            .get(30, TimeUnit.SECONDS)
                            .orElseThrow()
                            .offset())
                    .isEqualTo(i);
        }
        // at most one 1 KiB read (under 10 records) ahead of the half-consumed previous one, and one
        // record in the queue: never the 5,000 available
        assertThat(decoded.get()).isBetween(20, 20 + 1 + 2 * 10);
        queue.cancel();
    }

    @Test
    void topicSourceMergesEveryPartitionInOrderWithinEach() throws Exception {
        node.createTopic("merged", 3);
        produce("merged", null, 0, 600, 10);
        List<ConsumerRecord<String, String>> read =
                collect(VarveConsumer.topicSource(node, strings(), "merged", StartOffset.earliest()), 600);
        assertThat(read)
                .extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, 600).mapToObj(i -> "k" + i).toList());
        for (int p = 0; p < 3; p++) {
            int partition = p;
            List<Long> offsets = read.stream()
                    .filter(r -> r.partition() == partition)
                    .map(ConsumerRecord::offset)
                    .toList();
            assertThat(offsets).isSortedAccordingTo(Comparator.naturalOrder());
            assertThat(offsets).containsExactlyElementsOf(LongStreamOf(0, offsets.size()));
        }
    }

    @Test
    void anOffsetOutsideTheLogFailsOrResetsAsConfigured() throws Exception {
        node.createTopic("out-of-range", 1);
        produce("out-of-range", 0, 0, 50, 10);
        TopicPartition tp = new TopicPartition("out-of-range", 0);
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(20))).all().get();

        var failed = VarveConsumer.partitionSource(
                        node, strings().withAutoOffsetReset(OffsetReset.NONE), tp, StartOffset.at(5))
                .runWith(Sink.seq(), node.system())
                .toCompletableFuture();
        assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessageContaining(
                        "offset 5 of out-of-range-0 is outside the log [log start offset 20, high watermark 50]");

        assertThat(collect(
                        VarveConsumer.partitionSource(
                                node, strings().withAutoOffsetReset(OffsetReset.EARLIEST), tp, StartOffset.at(5)),
                        30))
                .extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(LongStreamOf(20, 50));
    }

    @Test
    void assignedSourceReadsEachPartitionFromItsOwnOffsetWithoutAGroup() throws Exception {
        node.createTopic("assign-a", 2);
        node.createTopic("assign-b", 1);
        produce("assign-a", 0, 0, 100, 10);
        produce("assign-a", 1, 100, 100, 10);
        produce("assign-b", 0, 200, 100, 10);
        TopicPartition a0 = new TopicPartition("assign-a", 0);
        TopicPartition a1 = new TopicPartition("assign-a", 1);
        TopicPartition b0 = new TopicPartition("assign-b", 0);
        List<ConsumerRecord<String, String>> read = collect(
                VarveConsumer.assignedSource(
                        node,
                        strings(),
                        Map.of(a0, StartOffset.at(30), a1, StartOffset.earliest(), b0, StartOffset.at(90))),
                70 + 100 + 10);
        // each partition from its own start, in order, exactly the records a Kafka producer wrote there
        assertThat(read.stream().filter(r -> r.partition() == 0 && r.topic().equals("assign-a")))
                .extracting(ConsumerRecord::offset, ConsumerRecord::key)
                .containsExactlyElementsOf(IntStream.range(30, 100)
                        .mapToObj(i -> org.assertj.core.groups.Tuple.tuple((long) i, "k" + i))
                        .toList());
        assertThat(read.stream().filter(r -> r.partition() == 1))
                .extracting(ConsumerRecord::offset, ConsumerRecord::key)
                .containsExactlyElementsOf(IntStream.range(0, 100)
                        .mapToObj(i -> org.assertj.core.groups.Tuple.tuple((long) i, "k" + (100 + i)))
                        .toList());
        assertThat(read.stream().filter(r -> r.topic().equals("assign-b")))
                .extracting(ConsumerRecord::offset, ConsumerRecord::value)
                .containsExactlyElementsOf(IntStream.range(90, 100)
                        .mapToObj(i ->
                                org.assertj.core.groups.Tuple.tuple((long) i, "v" + (200 + i) + "-" + "x".repeat(10)))
                        .toList());
    }

    @Test
    void committableAssignedSourceStartsAtTheGroupsOffsetsAndCommitsWithoutJoining() throws Exception {
        node.createTopic("assign-c", 2);
        node.createTopic("assign-d", 1);
        produce("assign-c", 1, 0, 100, 10);
        produce("assign-d", 0, 100, 100, 10);
        TopicPartition c1 = new TopicPartition("assign-c", 1);
        TopicPartition d0 = new TopicPartition("assign-d", 0);
        admin.alterConsumerGroupOffsets("assigned", Map.of(c1, new OffsetAndMetadata(40)))
                .all()
                .get(30, TimeUnit.SECONDS);
        SourceSettings<String, String> settings =
                strings().withGroupId("assigned").withAutoOffsetReset(OffsetReset.EARLIEST);
        List<CommittableOffset> handled = new ArrayList<>();
        VarveConsumer.committableAssignedSource(node, settings, List.of(d0, c1))
                .take(60 + 100)
                .map(record -> {
                    handled.add(record.committableOffset());
                    return record.committableOffset();
                })
                .runWith(VarveCommitter.sink(node, CommitSettings.defaults()), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        // c-1 from the committed 40, d-0 (nothing committed) from the earliest
        assertThat(handled.stream().filter(o -> o.tp().equals(c1)).map(CommittableOffset::offset))
                .containsExactlyElementsOf(LongStreamOf(41, 101));
        assertThat(handled.stream().filter(o -> o.tp().equals(d0)).map(CommittableOffset::offset))
                .containsExactlyElementsOf(LongStreamOf(1, 101));
        assertThat(handled).allMatch(o -> o.groupId().equals("assigned"));
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("assigned")
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        assertThat(committed).containsOnlyKeys(c1, d0);
        assertThat(committed.get(c1).offset()).isEqualTo(100);
        assertThat(committed.get(d0).offset()).isEqualTo(100);
        // standalone commits: the group has no members
        assertThat(admin.describeConsumerGroups(List.of("assigned"))
                        .all()
                        .get(30, TimeUnit.SECONDS)
                        .get("assigned")
                        .members())
                .isEmpty();
    }

    @Test
    void anAssignedPartitionThatDoesNotExistFailsTheSource() {
        node.createTopic("assign-e", 1);
        var failed = VarveConsumer.assignedSource(
                        node,
                        strings(),
                        Map.of(
                                new TopicPartition("assign-e", 0), StartOffset.earliest(),
                                new TopicPartition("assign-e", 3), StartOffset.earliest()))
                .runWith(Sink.seq(), node.system())
                .toCompletableFuture();
        assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(UnknownTopicOrPartitionException.class)
                .hasMessageContaining("assign-e-3");
        assertThatThrownBy(() -> VarveConsumer.assignedSource(node, strings(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an assigned source needs at least one partition");
    }

    private static List<Long> LongStreamOf(long from, long to) {
        List<Long> offsets = new ArrayList<>();
        for (long i = from; i < to; i++) {
            offsets.add(i);
        }
        return offsets;
    }
}
