package io.varve.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionSettings;
import io.varve.partition.TransactionVerifier;
import io.varve.storage.log.LogDirectory;
import io.varve.transport.api.TopicConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures injected into the node's partition layer: a partition actor that fails past its restart
 * limit is replaced by an offline replica answering KAFKA_STORAGE_ERROR at once (not a time-out),
 * and a failure of the replica manager itself restarts it with its partitions still serving.
 */
class ReplicaManagerSupervisionTest {
    private static final int NODE = 1;
    private static final PartitionSettings SETTINGS = new PartitionSettings(
            Duration.ofMinutes(5), Duration.ofDays(1), Duration.ofMinutes(10), Duration.ofSeconds(1));
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @TempDir
    Path dataDir;

    private ActorTestKit testKit;
    private MetadataCache metadata;
    private HostedPartitions hosted;
    private LogDirectory logDirectory;
    private ActorRef<ReplicaManager.Command> manager;

    @BeforeEach
    void start() throws IOException {
        testKit = ActorTestKit.create();
        metadata = new MetadataCache(MetadataImage.empty("c"));
        hosted = new HostedPartitions();
        logDirectory = LogDirectory.open(dataDir);
        manager = testKit.spawn(
                ReplicaManager.create(
                        logDirectory,
                        NODE,
                        metadata,
                        hosted,
                        new TopicConfigs(Map.of()),
                        SETTINGS,
                        TransactionVerifier.DISABLED,
                        CHECKPOINT_INTERVAL),
                "replica-manager",
                DispatcherSelector.fromConfig("varve.storage-dispatcher"));
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aPartitionThatFailsPastItsRestartLimitAnswersKafkaStorageErrorInsteadOfTimingOut() {
        TopicPartition tp = new TopicPartition("orders", 0);
        metadata.update(withTopics(1, "orders"));
        ActorRef<PartitionActor.Command> partition = awaitHosted(tp);
        assertThat(append(partition, "a").error()).isEqualTo(Errors.NONE);

        // a bug's stand-in: an append without records fails the actor's handler, once more than it
        // may restart within a minute
        TestProbe<PartitionActor.AppendResponse> ignored = testKit.createTestProbe();
        for (int failure = 0; failure <= PartitionActor.MAX_RESTARTS; failure++) {
            partition.tell(new PartitionActor.Append(null, (short) 1, 30_000, ignored.ref()));
        }

        ActorRef<PartitionActor.Command> replacement = ignored.awaitAssert(PROMPTLY, () -> {
            ActorRef<PartitionActor.Command> now = hosted.lookup(tp).orElseThrow();
            assertThat(now).isNotEqualTo(partition);
            return now;
        });
        PartitionActor.AppendResponse answer = append(replacement, "b");
        assertThat(answer.error()).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(answer.message()).contains("orders-0 is offline");
        TestProbe<PartitionActor.LogDescription> described = testKit.createTestProbe();
        replacement.tell(new PartitionActor.DescribeLog(described.ref()));
        assertThat(described.receiveMessage(PROMPTLY).offline()).isTrue();
    }

    @Test
    void aFailedReplicaManagerRestartsWithItsPartitionsServingAndItsCheckpointsIntact() {
        TopicPartition orders = new TopicPartition("orders", 0);
        metadata.update(withTopics(1, "orders"));
        ActorRef<PartitionActor.Command> partition = awaitHosted(orders);
        assertThat(append(partition, "a").baseOffset()).isZero();
        assertThat(append(partition, "b").baseOffset()).isEqualTo(1);
        TestProbe<PartitionActor.DeleteRecordsResponse> deleted = testKit.createTestProbe();
        partition.tell(new PartitionActor.DeleteRecords(1, deleted.ref()));
        assertThat(deleted.receiveMessage(PROMPTLY).lowWatermark()).isEqualTo(1);
        deleted.awaitAssert(PROMPTLY, () -> {
            assertThat(logDirectory.checkpointedLogStartOffsets()).containsEntry(orders, 1L);
            return null;
        });

        // a bug's stand-in: a message the manager fails to handle
        LoggingTestKit.error(NullPointerException.class).expect(testKit.system(), () -> {
            manager.tell(new ReplicaManager.ImageChanged(null));
            return null;
        });

        // the partition kept running: same actor, same log
        assertThat(hosted.lookup(orders)).contains(partition);
        assertThat(append(partition, "c").baseOffset()).isEqualTo(2);
        // the restarted manager follows the metadata again
        TopicPartition payments = new TopicPartition("payments", 0);
        metadata.update(withTopics(2, "orders", "payments"));
        assertThat(append(awaitHosted(payments), "x").baseOffset()).isZero();
        deleted.awaitAssert(PROMPTLY, () -> {
            assertThat(logDirectory.checkpointedLogStartOffsets())
                    .containsEntry(orders, 1L)
                    .containsEntry(payments, 0L);
            return null;
        });
    }

    @Test
    void checkpointsWrittenBeforeAnyPartitionIsDescribedKeepWhatIsOnDisk() throws IOException {
        TopicPartition orders = new TopicPartition("orders", 0);
        testKit.stop(manager);
        logDirectory.writeCheckpoints(Map.of(orders, 5L), Map.of(orders, 3L));
        LogDirectory reopened = LogDirectory.open(dataDir);
        // the image names no partition yet (as at start-up, before the controller answers)
        testKit.spawn(
                ReplicaManager.create(
                        reopened,
                        NODE,
                        new MetadataCache(MetadataImage.empty("c")),
                        new HostedPartitions(),
                        new TopicConfigs(Map.of()),
                        SETTINGS,
                        TransactionVerifier.DISABLED,
                        CHECKPOINT_INTERVAL),
                "replica-manager-2",
                DispatcherSelector.fromConfig("varve.storage-dispatcher"));

        TestProbe<Object> waiter = testKit.createTestProbe();
        waiter.expectNoMessage(CHECKPOINT_INTERVAL.multipliedBy(3)); // several checkpoint ticks pass
        LogDirectory afterTicks = LogDirectory.open(dataDir);
        assertThat(afterTicks.checkpointedRecoveryPoints()).containsEntry(orders, 5L);
        assertThat(afterTicks.checkpointedLogStartOffsets()).containsEntry(orders, 3L);
    }

    private ActorRef<PartitionActor.Command> awaitHosted(TopicPartition tp) {
        TestProbe<Object> waiter = testKit.createTestProbe();
        return waiter.awaitAssert(PROMPTLY, () -> hosted.lookup(tp).orElseThrow());
    }

    private PartitionActor.AppendResponse append(ActorRef<PartitionActor.Command> partition, String value) {
        TestProbe<PartitionActor.AppendResponse> probe = testKit.createTestProbe();
        MemoryRecords records = MemoryRecords.withRecords(
                Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8)));
        partition.tell(new PartitionActor.Append(records, (short) 1, 30_000, probe.ref()));
        return probe.receiveMessage(PROMPTLY);
    }

    /** An image at {@code offset} with one single-partition topic per name, each led by this node. */
    private static MetadataImage withTopics(long offset, String... names) {
        Map<String, TopicImage> topics = new LinkedHashMap<>();
        Map<Uuid, String> ids = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            Uuid id = new Uuid(0x1000L + i, 0x2000L + i);
            PartitionRegistration registration = new PartitionRegistration(0, List.of(NODE), List.of(NODE), NODE, 0, 0);
            topics.put(names[i], new TopicImage(names[i], id, Map.of(0, registration), Map.of()));
            ids.put(id, names[i]);
        }
        return new MetadataImage(offset, "c", NODE, Map.of(), topics, ids, Map.of());
    }
}
