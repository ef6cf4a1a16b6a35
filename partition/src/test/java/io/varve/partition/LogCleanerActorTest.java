package io.varve.partition;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.cleaner.CleanerSettings;
import io.varve.partition.cleaner.LogCleaner;
import io.varve.storage.checkpoint.OffsetCheckpointFile;
import io.varve.storage.cleaner.CleanerCheckpoints;
import io.varve.storage.log.LogConfig;
import io.varve.storage.testing.LogLines;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's log cleaner with real partition actors: it finds the dirty compacted log, cleans it on its
 * own thread, has the partition swap the result in and checkpoints the clean offset; a log it cannot
 * clean is left alone while the others are cleaned.
 */
class LogCleanerActorTest extends PartitionActorTestBase {
    private static final CleanerSettings SETTINGS =
            new CleanerSettings(true, 1, Duration.ofMillis(50), 1 << 20, 0.9, 64 << 10, 0, Duration.ofSeconds(5));
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final LogLines log = new LogLines(LogCleaner.class);
    private long timestamp = System.currentTimeMillis() - 60_000;

    @BeforeEach
    void start() {
        fx.with(TopicConfig.CLEANUP_POLICY_CONFIG, "compact")
                .with(TopicConfig.SEGMENT_MS_CONFIG, 1)
                .with(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, 0.01);
    }

    @AfterEach
    void stop() {
        log.close();
    }

    /** Each call is its own segment: segment.ms is 1 and every batch is 10 ms younger than the last. */
    private void put(ActorRef<Command> partition, String... pairs) {
        SimpleRecord[] records = new SimpleRecord[pairs.length];
        timestamp += 10;
        for (int i = 0; i < pairs.length; i++) {
            String[] kv = pairs[i].split("=");
            records[i] = new SimpleRecord(timestamp, bytes(kv[0]), bytes(kv[1]));
        }
        assertThat(fx.append(partition, MemoryRecords.withRecords(Compression.NONE, records), 1)
                        .error())
                .isEqualTo(org.apache.kafka.common.protocol.Errors.NONE);
    }

    @Test
    void cleansTheDirtyLogAndCheckpointsWhereItIsCleanUpTo() throws Exception {
        ActorRef<Command> partition = fx.spawn();
        put(partition, "a=1", "b=1");
        put(partition, "a=2");
        put(partition, "b=2", "c=1");
        put(partition, "a=3"); // active segment
        ActorRef<LogCleaner.Command> cleaner = testKit.spawn(
                LogCleaner.create(dataDir, SETTINGS),
                "cleaner",
                DispatcherSelector.fromConfig("varve.storage-dispatcher"));

        cleaner.tell(new LogCleaner.Track(PartitionFixture.TP, partition, true));

        awaitRecords(partition, List.of("2:a=2", "3:b=2", "4:c=1", "5:a=3"));
        Path checkpoint = dataDir.resolve(CleanerCheckpoints.FILE_NAME);
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(DEADLINE, () -> {
            assertThat(new OffsetCheckpointFile(checkpoint).read()).isEqualTo(Map.of(PartitionFixture.TP, 5L));
            return null;
        });
        put(partition, "a=4"); // the partition keeps taking appends after its log was swapped
        assertThat(readAll(partition)).endsWith("5:a=3", "6:a=4");
    }

    @Test
    void laterCleaningsStartWhereTheCheckpointSaysAlsoAfterTheCleanerRestarts() throws Exception {
        ActorRef<Command> partition = fx.spawn();
        put(partition, "a=1", "b=1");
        put(partition, "a=2");
        put(partition, "b=2", "c=1");
        put(partition, "a=3"); // 5, active segment
        ActorRef<LogCleaner.Command> cleaner = spawnCleaner("cleaner-1");
        cleaner.tell(new LogCleaner.Track(PartitionFixture.TP, partition, true));
        awaitCheckpoint(5L);

        put(partition, "c=2"); // 6; 5 is in a closed segment now
        put(partition, "z=1"); // 7, active segment
        awaitRecords(partition, List.of("3:b=2", "5:a=3", "6:c=2", "7:z=1")); // the idle cleaner looked again
        awaitCheckpoint(7L);

        testKit.stop(cleaner);
        put(partition, "a=4"); // 8
        put(partition, "y=1"); // 9, active segment
        ActorRef<LogCleaner.Command> restarted = spawnCleaner("cleaner-2"); // reads cleaner-offset-checkpoint
        restarted.tell(new LogCleaner.Track(PartitionFixture.TP, partition, true));
        awaitRecords(partition, List.of("3:b=2", "6:c=2", "7:z=1", "8:a=4", "9:y=1"));
        awaitCheckpoint(9L);

        // each cleaning starts where the previous one ended (the cleaner may have taken [5, 7) in two steps,
        // as each segment closed), the restarted one included: nothing is cleaned twice, nothing skipped
        // the cleaner writes the checkpoint first and logs the pass after it: wait for the last line
        List<long[]> ranges = testKit.createTestProbe().awaitAssert(DEADLINE, () -> {
            List<long[]> logged = cleanedRanges();
            assertThat(logged).isNotEmpty();
            assertThat(logged.get(logged.size() - 1)[1]).isEqualTo(9);
            return logged;
        });
        assertThat(ranges.get(0)).containsExactly(0, 5);
        for (int i = 1; i < ranges.size(); i++) {
            assertThat(ranges.get(i)[0]).as("start of cleaning %d", i).isEqualTo(ranges.get(i - 1)[1]);
        }
        assertThat(ranges.get(ranges.size() - 1)[1]).isEqualTo(9);
        assertThat(ranges).extracting(r -> r[0]).contains(7L); // the restarted cleaner began at its checkpoint
    }

    private List<long[]> cleanedRanges() {
        return log.at(Level.INFO).stream()
                .map(CLEANED::matcher)
                .filter(java.util.regex.Matcher::find)
                .map(m -> new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))})
                .toList();
    }

    private static final java.util.regex.Pattern CLEANED =
            java.util.regex.Pattern.compile("^cleaned orders-0 offsets \\[(\\d+), (\\d+)\\)");

    private ActorRef<LogCleaner.Command> spawnCleaner(String name) {
        return testKit.spawn(
                LogCleaner.create(dataDir, SETTINGS), name, DispatcherSelector.fromConfig("varve.storage-dispatcher"));
    }

    private void awaitCheckpoint(long offset) {
        Path checkpoint = dataDir.resolve(CleanerCheckpoints.FILE_NAME);
        testKit.createTestProbe().awaitAssert(DEADLINE, () -> {
            assertThat(new OffsetCheckpointFile(checkpoint).read()).isEqualTo(Map.of(PartitionFixture.TP, offset));
            return null;
        });
    }

    @Test
    void aLogThatCannotBeCleanedIsLeftAloneWhileTheOthersAreCleaned() throws Exception {
        TopicPartition brokenTp = new TopicPartition("broken", 0);
        ActorRef<Command> broken = testKit.spawn(
                PartitionActor.create(ReplicaSpec.standalone(
                        fx.logDirectory(),
                        brokenTp,
                        new Uuid(7, 7),
                        LogConfig.fromMap(fx.overrides),
                        fx.registration,
                        PartitionFixture.NODE,
                        PartitionFixture.SETTINGS)),
                "broken",
                DispatcherSelector.fromConfig("varve.storage-dispatcher"));
        ActorRef<Command> healthy = fx.spawn();
        for (ActorRef<Command> partition : List.of(broken, healthy)) {
            put(partition, "a=1", "a=2", "a=3");
            put(partition, "b=1");
            put(partition, "z=1");
        }
        fx.describe(broken);
        corruptFirstBatchLength(firstSegment(dataDir.resolve("broken-0")));
        ActorRef<LogCleaner.Command> cleaner = testKit.spawn(
                LogCleaner.create(dataDir, SETTINGS),
                "cleaner",
                DispatcherSelector.fromConfig("varve.storage-dispatcher"));

        cleaner.tell(new LogCleaner.Track(brokenTp, broken, true));
        cleaner.tell(new LogCleaner.Track(PartitionFixture.TP, healthy, true));

        awaitRecords(healthy, List.of("2:a=3", "3:b=1", "4:z=1"));
        TestProbe<Object> lines = testKit.createTestProbe();
        lines.awaitAssert(DEADLINE, () -> {
            assertThat(log.at(Level.ERROR))
                    .containsExactly("cleaning broken-0 failed; it is marked uncleanable until it is hosted again,"
                            + " other logs go on");
            return null;
        });
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(DEADLINE, () -> {
            assertThat(new OffsetCheckpointFile(dataDir.resolve(CleanerCheckpoints.FILE_NAME)).read())
                    .containsOnlyKeys(PartitionFixture.TP);
            return null;
        });
        assertThat(Files.list(dataDir.resolve("broken-0"))
                        .map(p -> p.getFileName().toString()))
                .noneMatch(name -> name.endsWith(".cleaned"));
    }

    private void awaitRecords(ActorRef<Command> partition, List<String> expected) {
        TestProbe<Object> probe = testKit.createTestProbe();
        probe.awaitAssert(DEADLINE, Duration.ofMillis(50), () -> {
            assertThat(readAll(partition)).containsExactlyElementsOf(expected);
            return null;
        });
    }

    /** Every record as {@code offset:key=value}, segment after segment. */
    private List<String> readAll(ActorRef<Command> partition) {
        List<String> out = new java.util.ArrayList<>();
        long offset = 0;
        long end = fx.describe(partition).logEndOffset();
        while (offset < end) {
            ReadResponse read = fx.read(partition, offset, -1);
            List<String> values = PartitionFixture.keysOffsetsAndValues(read.slice());
            if (values.isEmpty()) {
                break;
            }
            out.addAll(values);
            String last = values.get(values.size() - 1);
            offset = Long.parseLong(last.substring(0, last.indexOf(':'))) + 1;
        }
        return out;
    }

    private static Path firstSegment(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
    }

    /** A batch whose length says it runs past the end of its segment: the cleaner cannot read it. */
    private static void corruptFirstBatchLength(Path segment) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.seek(8);
            file.writeInt(1 << 30);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
