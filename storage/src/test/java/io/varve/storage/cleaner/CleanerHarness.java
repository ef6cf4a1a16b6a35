package io.varve.storage.cleaner;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A by-hand harness (not a test: run its {@code main} from the test classpath) timing {@link Cleaner#clean}
 * on the compaction bench's workload written straight into a real partition log: {@code records} records of
 * 1 KiB values over {@code records / 10} keys {@code key-%08d} in the bench's order, 15 records a batch of
 * one idempotent producer, 64 MiB segments. Each round cleans the same snapshot and discards the cleaned
 * files, printing wall and cleaner-thread CPU seconds and the cleaner's own summary.
 *
 * <pre>java -cp ... io.varve.storage.cleaner.CleanerHarness DIR RECORDS ROUNDS [sync]</pre>
 */
public final class CleanerHarness {
    private CleanerHarness() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int records = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int keys = records / 10;
        CompactedLog c = new CompactedLog(root)
                .with(TopicConfig.SEGMENT_BYTES_CONFIG, 64 * 1024 * 1024)
                .open();
        Random random = new Random(42);
        byte[][] values = new byte[64][1024];
        for (byte[] value : values) {
            random.nextBytes(value);
        }
        int perBatch = 15;
        int sequence = 0;
        for (int i = 0; i < records; i += perBatch) {
            ByteBuffer buffer = ByteBuffer.allocate(perBatch * 1200 + 256);
            MemoryRecordsBuilder builder = MemoryRecords.builder(
                    buffer,
                    RecordBatch.MAGIC_VALUE_V2,
                    Compression.NONE,
                    TimestampType.CREATE_TIME,
                    0L,
                    c.clock.millis(),
                    1000L,
                    (short) 0,
                    sequence,
                    false,
                    RecordBatch.NO_PARTITION_LEADER_EPOCH);
            for (int j = i; j < Math.min(records, i + perBatch); j++) {
                byte[] key = String.format(Locale.ROOT, "key-%08d", (int) ((j * 2_654_435_761L) % keys))
                        .getBytes(StandardCharsets.UTF_8);
                builder.append(new SimpleRecord(c.clock.millis(), key, values[j % values.length]));
                sequence++;
            }
            c.append(builder.build());
        }
        c.roll();
        c.put("last=1");
        if (args.length > 3 && args[3].equals("sync")) {
            new ProcessBuilder("sync").inheritIO().start().waitFor(); // written back first, as after the bench's fill
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Cleaner cleaner =
                new Cleaner(128L * 1024 * 1024, 0.9, 256 * 1024, 1024 * 1024, new CleanerThrottler(Double.MAX_VALUE));
        for (int round = 0; round < rounds; round++) {
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            CleaningResult result;
            try (CleaningSnapshot snapshot = CleaningSnapshot.take(c.log, c.range(CleanableRange.NO_CHECKPOINT))) {
                result = cleaner.clean(snapshot, () -> false);
            }
            double wallS = (System.nanoTime() - wall) / 1e9;
            double cpuS = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "round %d: wall %.3f s, cpu %.3f s, %s%n",
                    round,
                    wallS,
                    cpuS,
                    result.stats().summary());
            result.discardFrom(0);
        }
        c.log.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
