package io.varve.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.stream.SourceSettings;
import io.varve.connectors.stream.StartOffset;
import io.varve.connectors.stream.VarveConsumer;
import io.varve.connectors.support.Clients;
import io.varve.connectors.support.TestNode;
import io.varve.storage.testing.Conditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source stopped in the middle of reading gives back every segment file it retained: a read
 * answered after the stage stopped must release its slice, or the segment's descriptor stays open
 * after the segment is closed. Checked from the outside: once the node is closed, no descriptor of
 * this process points at a segment file of the topic.
 */
class ReadStageReleaseTest {
    private static final String TOPIC = "release";

    @Test
    void sourcesCancelledMidReadLeaveNoSegmentFileOpen(@TempDir Path dataDir) throws Exception {
        assumeTrue(Files.isDirectory(Paths.get("/proc/self/fd")), "needs /proc/self/fd (Linux)");
        EmbeddedVarve node = TestNode.builder().dataDir(dataDir).topic(TOPIC, 1).start();
        // every other source runs in an application's own ActorSystem, where its dead letters go
        ActorSystem<Void> application = ActorSystem.create(Behaviors.empty(), "application");
        try {
            produce(node, 6000, 200);
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            SourceSettings<String, String> settings = SourceSettings.create(
                            new StringDeserializer(), new StringDeserializer())
                    .withMaxBytesPerRead(64 * 1024);
            // a 64 KiB read holds ~280 of these records; the next read is sent when fewer than half are
            // left, so cancelling after 150..450 records leaves a read (a retained file) in flight
            for (int take = 150; take < 450; take += 10) {
                List<ConsumerRecord<String, String>> read = VarveConsumer.partitionSource(
                                node, settings, tp, StartOffset.earliest())
                        .take(take)
                        .runWith(Sink.seq(), take % 20 == 0 ? node.system() : application)
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                assertThat(read).hasSize(take);
                assertThat(read.get(take - 1).offset()).isEqualTo(take - 1);
            }
            // the probe sees the segment's own descriptors while the node runs
            assertThat(openSegmentFiles(dataDir.toAbsolutePath().toRealPath())).isNotEmpty();
        } finally {
            TestNode.close(node);
        }
        Path topicDir = dataDir.toAbsolutePath().toRealPath();
        List<String> open = new ArrayList<>();
        boolean closed = Conditions.awaitTrue(Duration.ofSeconds(10), () -> {
            open.clear();
            open.addAll(openSegmentFiles(topicDir));
            return open.isEmpty();
        });
        assertThat(closed)
                .as("segment files still open after the node closed: %s", open)
                .isTrue();
    }

    private static List<String> openSegmentFiles(Path under) throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Paths.get("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(under.toString()) && target.contains(".log")) {
                        open.add(target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return open;
    }

    private static void produce(EmbeddedVarve node, int count, int valueBytes) throws Exception {
        try (KafkaProducer<String, String> producer =
                Clients.producer(node, Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i + "-" + "x".repeat(valueBytes)));
            }
            producer.flush();
        }
    }
}
