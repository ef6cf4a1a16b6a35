package io.varve.connectors.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.support.Clients;
import io.varve.connectors.support.TestNode;
import io.varve.metadata.Ask;
import io.varve.metadata.PartitionRegistration;
import io.varve.partition.PartitionActor;
import io.varve.storage.log.LogConfig;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A deleted topic, a partition moving to another node and a fenced producer each fail the
 * in-process stages at once with the Kafka exception and a message saying what happened; none
 * leaves a stage hanging.
 */
class StageErrorsTest {
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

    private static SinkSettings<String, String> sinkSettings() {
        return SinkSettings.create(new StringSerializer(), new StringSerializer());
    }

    private static SourceSettings<String, String> sourceSettings() {
        return SourceSettings.create(new StringDeserializer(), new StringDeserializer());
    }

    /** A running sink fed by a queue, and its completion. */
    private static Pair<SourceQueueWithComplete<ProducerRecord<String, String>>, CompletableFuture<Done>>
            runningSink() {
        var materialized = Source.<ProducerRecord<String, String>>queue(100, OverflowStrategy.backpressure())
                .toMat(VarveProducer.sink(node, sinkSettings()), Pair::create)
                .run(node.system());
        return Pair.create(materialized.first(), materialized.second().toCompletableFuture());
    }

    private static CompletableFuture<List<ConsumerRecord<String, String>>> waitingSource(TopicPartition tp) {
        return VarveConsumer.partitionSource(node, sourceSettings(), tp, StartOffset.latest())
                .runWith(Sink.seq(), node.system())
                .toCompletableFuture();
    }

    private static void writeOne(SourceQueueWithComplete<ProducerRecord<String, String>> sink, TopicPartition tp)
            throws Exception {
        long before = Clients.latestOffset(admin, tp);
        sink.offer(new ProducerRecord<>(tp.topic(), tp.partition(), null, "x"));
        assertThat(Conditions.awaitTrue(DEADLINE, () -> Clients.latestOffset(admin, tp) > before))
                .isTrue();
    }

    @Test
    void aDeletedTopicFailsAWaitingSourceAndAnIdleSink() throws Exception {
        node.createTopic("doomed", 1);
        TopicPartition tp = new TopicPartition("doomed", 0);
        var sink = runningSink();
        writeOne(sink.first(), tp);
        var source = waitingSource(tp);

        admin.deleteTopics(List.of("doomed")).all().get();

        assertThatThrownBy(() -> source.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(UnknownTopicOrPartitionException.class)
                .hasMessageMatching("while reading doomed-0: topic 'doomed' \\(id .+\\) was deleted");
        assertThatThrownBy(() -> sink.second().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(UnknownTopicOrPartitionException.class)
                .hasMessageMatching("while appending to doomed-0: topic 'doomed' \\(id .+\\) was deleted");
    }

    @Test
    void aPartitionMovingToAnotherNodeFailsTheSourceAndTheSink() throws Exception {
        node.createTopic("moving", 1);
        TopicPartition tp = new TopicPartition("moving", 0);
        var sink = runningSink();
        writeOne(sink.first(), tp);
        var source = waitingSource(tp);

        // what the controller sends when it reassigns the partition to node 2 (no second node exists
        // in this test, so the registration is handed to the partition actor as the controller would)
        PartitionRegistration current =
                node.services().broker().metadata().image().partition(tp).orElseThrow();
        node.services()
                .broker()
                .partitions()
                .lookup(tp)
                .orElseThrow()
                .tell(new PartitionActor.UpdateRegistration(
                        new PartitionRegistration(
                                0, List.of(2), List.of(2), 2, current.leaderEpoch() + 1, current.partitionEpoch() + 1),
                        LogConfig.fromMap(Map.of())));

        assertThatThrownBy(() -> source.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(NotLeaderOrFollowerException.class)
                .hasMessageContaining("while reading moving-0: the partition moved");
        sink.first().offer(new ProducerRecord<>("moving", 0, null, "after the move"));
        assertThatThrownBy(() -> sink.second().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(NotLeaderOrFollowerException.class)
                .hasMessageContaining("while appending to moving-0: the partition moved")
                .hasMessageContaining("leader 2");
    }

    @Test
    void aNewerEpochOfTheSinksProducerIdFencesIt() throws Exception {
        node.createTopic("fenced", 1);
        TopicPartition tp = new TopicPartition("fenced", 0);
        var sink = runningSink();
        writeOne(sink.first(), tp);
        long producerId = admin.describeProducers(List.of(tp))
                .partitionResult(tp)
                .get()
                .activeProducers()
                .get(0)
                .producerId();

        // another instance of the same producer id at epoch 1 writes, as a restarted transactional
        // producer does after InitProducerId bumped the epoch
        ActorRef<PartitionActor.Command> partition =
                node.services().broker().partitions().lookup(tp).orElseThrow();
        MemoryRecords newer = MemoryRecords.withIdempotentRecords(
                Compression.NONE, producerId, (short) 1, 0, new SimpleRecord("newer".getBytes()));
        PartitionActor.AppendResponse appended = Ask.ask(
                        partition,
                        (ActorRef<PartitionActor.AppendResponse> replyTo) ->
                                new PartitionActor.Append(newer, (short) -1, 30_000, replyTo),
                        DEADLINE,
                        node.system().scheduler())
                .get(30, TimeUnit.SECONDS);
        assertThat(appended.error()).isEqualTo(Errors.NONE);

        sink.first().offer(new ProducerRecord<>("fenced", 0, null, "from the old epoch"));
        assertThatThrownBy(() -> sink.second().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ProducerFencedException.class)
                .hasMessageContaining("appending 1 record(s) to fenced-0 failed with INVALID_PRODUCER_EPOCH")
                .hasMessageContaining("producer id " + producerId + ", epoch 0");
        assertThat(Clients.latestOffset(admin, tp)).isEqualTo(2);
    }
}
