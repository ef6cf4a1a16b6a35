package io.varve.connectors.pekkokafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.support.Clients;
import io.varve.connectors.support.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerMessage;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.Producer;
import org.apache.pekko.kafka.javadsl.Transactional;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pekko-connectors-kafka 1.2.0 (on the kafka-clients pinned here) against an embedded node over
 * the network, from the application's own ActorSystem: the producer sink and flexi flow, and a
 * committable source with a consumer group whose commits Admin and a second run see, and a
 * transactional source and sink copying a topic exactly once (docs/embedded.md).
 */
class PekkoConnectorsKafkaIT {
    private static EmbeddedVarve node;
    private static ActorSystem<Void> application;
    private static Admin admin;

    @BeforeAll
    static void start() {
        node = TestNode.builder().topic("pekko", 3).start();
        application = ActorSystem.create(Behaviors.empty(), "application");
        admin = Clients.admin(node);
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        application.terminate();
        application.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        TestNode.close(node);
    }

    private static ProducerSettings<String, String> producerSettings() {
        return ProducerSettings.create(application, new StringSerializer(), new StringSerializer())
                .withBootstrapServers(node.bootstrapServers());
    }

    private static ConsumerSettings<String, String> consumerSettings(String group) {
        return ConsumerSettings.create(application, new StringDeserializer(), new StringDeserializer())
                .withBootstrapServers(node.bootstrapServers())
                .withGroupId(group)
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                // once the stream ends the connector keeps its consumer for stop-timeout (30 s by default)
                // so that commits in flight finish; shutdown() completes only then, and the tests waited
                // 30 s for it: they failed whenever the delay won that race. 5 s is ample for the commits
                .withStopTimeout(Duration.ofSeconds(5));
    }

    @Test
    void producerSinkAndCommittableSourceWithAGroup() throws Exception {
        Done produced = Source.range(0, 299)
                .map(i -> new ProducerRecord<>("pekko", "k" + i, "v" + i))
                .runWith(Producer.plainSink(producerSettings()), application)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        assertThat(produced).isEqualTo(Done.getInstance());

        // the group reads all 300 and commits them through the connector's Committer
        var control = Consumer.committableSource(consumerSettings("pekko-group"), Subscriptions.topics("pekko"))
                .take(300)
                .map(ConsumerMessage.CommittableMessage::committableOffset)
                .toMat(Committer.sink(CommitterSettings.create(application).withMaxBatch(50)), Keep.both())
                .run(application);
        assertThat(control.second().toCompletableFuture().get(60, TimeUnit.SECONDS))
                .isEqualTo(Done.getInstance());
        control.first().shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);

        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("pekko-group")
                .partitionsToOffsetAndMetadata()
                .get();
        for (int p = 0; p < 3; p++) {
            TopicPartition tp = new TopicPartition("pekko", p);
            assertThat(committed.get(tp).offset()).isEqualTo(Clients.latestOffset(admin, tp));
        }
        assertThat(committed.values().stream()
                        .mapToLong(OffsetAndMetadata::offset)
                        .sum())
                .isEqualTo(300);
    }

    /**
     * Consume, transform, produce in Kafka transactions: every input record appears once in the
     * output for a read_committed consumer, and the group's offsets were committed inside the same
     * transactions (the connector's sendOffsetsToTransaction), so they cover every input record.
     */
    @Test
    void transactionalSourceAndSinkCopyEveryRecordOnceWithTheGroupsOffsets() throws Exception {
        node.createTopic("pekko-tx-in", 3);
        node.createTopic("pekko-tx-out", 3);
        Source.range(0, 99)
                .map(i -> new ProducerRecord<>("pekko-tx-in", "k" + i, "v" + i))
                .runWith(Producer.plainSink(producerSettings()), application)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);

        Consumer.DrainingControl<Done> control = Transactional.source(
                        consumerSettings("pekko-tx-group"), Subscriptions.topics("pekko-tx-in"))
                .map(message -> ProducerMessage.single(
                        new ProducerRecord<>(
                                "pekko-tx-out",
                                message.record().key(),
                                message.record().value().toUpperCase(Locale.ROOT)),
                        message.partitionOffset()))
                .toMat(Transactional.sink(producerSettings(), "pekko-tx-copy"), Consumer::createDrainingControl)
                .run(application);
        List<ConsumerRecord<String, String>> copied = Clients.read(
                node,
                Map.of(
                        new TopicPartition("pekko-tx-out", 0), 0L,
                        new TopicPartition("pekko-tx-out", 1), 0L,
                        new TopicPartition("pekko-tx-out", 2), 0L),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                100,
                Duration.ofSeconds(60));
        assertThat(control.drainAndShutdown(application.executionContext())
                        .toCompletableFuture()
                        .get(60, TimeUnit.SECONDS))
                .isEqualTo(Done.getInstance());

        assertThat(copied)
                .extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, 100).mapToObj(i -> "V" + i).toList());
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("pekko-tx-group")
                .partitionsToOffsetAndMetadata()
                .get();
        for (int p = 0; p < 3; p++) {
            TopicPartition in = new TopicPartition("pekko-tx-in", p);
            assertThat(committed.get(in).offset()).as("%s", in).isEqualTo(Clients.latestOffset(admin, in));
        }
    }

    @Test
    void flexiFlowReportsEachRecordsOffsetAndAPlainSourceReadsThem() throws Exception {
        node.createTopic("pekko-flexi", 1);
        List<Long> offsets = Source.range(0, 49)
                .map(i -> ProducerMessage.single(new ProducerRecord<>("pekko-flexi", "k" + i, "v" + i), i))
                .via(Producer.flexiFlow(producerSettings()))
                .map(result -> ((ProducerMessage.Result<String, String, Integer>) result)
                        .metadata()
                        .offset())
                .runWith(Sink.seq(), application)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        assertThat(offsets)
                .containsExactlyElementsOf(
                        IntStream.range(0, 50).mapToObj(i -> (long) i).toList());

        List<ConsumerRecord<String, String>> read = Consumer.plainSource(
                        consumerSettings("pekko-plain"), Subscriptions.assignment(new TopicPartition("pekko-flexi", 0)))
                .take(50)
                .runWith(Sink.seq(), application)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        assertThat(read)
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(
                        IntStream.range(0, 50).mapToObj(i -> "v" + i).toList());
    }
}
