package io.varve.bench;

import io.varve.storage.checkpoint.OffsetCheckpointFile;
import io.varve.storage.log.LogFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The compaction workload of {@code bench/run.sh}, the same against Kafka and Varve:
 *
 * <ol>
 *   <li>{@code fill}: a compacted topic whose cleaning is held back ({@code min.cleanable.dirty.ratio}
 *       1, which no log exceeds) gets {@code RECORDS} records of {@code SIZE} value bytes over {@code
 *       KEYS} keys, in {@code SEGMENT_BYTES} segments; a 6-partition topic {@code other} is created.
 *   <li>{@code clean}: after a warm-up, producing to {@code other} for {@value #IDLE_SECONDS} s measures the broker
 *       without cleaning; then the ratio is lowered to 0.01, which makes the log due at once, and the
 *       time until the broker's own {@code cleaner-offset-checkpoint} says the log is clean up to its
 *       active segment is the compaction time, while the same producer keeps writing to {@code other}.
 * </ol>
 *
 * Prints {@code key=value} lines for the script: {@code fill-mbs}, {@code compact-seconds}, {@code
 * compacted-mb}, {@code other-idle-mbs}, {@code other-during-mbs}. Usage: {@code CompactionBench fill
 * BOOTSTRAP TOPIC RECORDS SIZE KEYS SEGMENT_BYTES} and {@code CompactionBench clean BOOTSTRAP TOPIC
 * DATA_DIR SIZE DEADLINE_SECONDS}.
 */
public final class CompactionBench {
    static final String OTHER = "other";
    static final int IDLE_SECONDS = 10;
    static final int WARM_UP_RECORDS = 20_000;

    private CompactionBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 7 && args[0].equals("fill")) {
            fill(
                    args[1],
                    args[2],
                    Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]),
                    args[6]);
        } else if (args.length == 6 && args[0].equals("clean")) {
            clean(args[1], args[2], Path.of(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        } else {
            System.err.println("usage: CompactionBench fill BOOTSTRAP TOPIC RECORDS SIZE KEYS SEGMENT_BYTES"
                    + " | clean BOOTSTRAP TOPIC DATA_DIR SIZE DEADLINE_SECONDS");
            System.exit(64);
        }
    }

    private static void fill(String bootstrap, String topic, int records, int size, int keys, String segmentBytes)
            throws Exception {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(
                            new NewTopic(topic, 1, (short) 1)
                                    .configs(Map.of(
                                            TopicConfig.CLEANUP_POLICY_CONFIG, "compact",
                                            TopicConfig.SEGMENT_BYTES_CONFIG, segmentBytes,
                                            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "1")),
                            new NewTopic(OTHER, 6, (short) 1)))
                    .all()
                    .get();
        }
        Random random = new Random(42);
        byte[][] values = new byte[64][size];
        for (byte[] value : values) {
            random.nextBytes(value);
        }
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            AtomicReference<Exception> failure = new AtomicReference<>();
            for (int i = 0; i < records; i++) {
                // every key about as often, in no particular order
                byte[] key = String.format(Locale.ROOT, "key-%08d", (int) ((i * 2_654_435_761L) % keys))
                        .getBytes();
                producer.send(new ProducerRecord<>(topic, 0, key, values[i % values.length]), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            if (failure.get() != null) {
                throw failure.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "fill-mbs=%.2f%n", (double) records * size / 1e6 / seconds);
    }

    private static void clean(String bootstrap, String topic, Path dataDir, int size, int deadlineSeconds)
            throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        Path partitionDir = dataDir.resolve(LogFiles.dirName(topic, 0));
        long target = activeSegmentBase(partitionDir);
        if (target == 0) {
            System.err.println("nothing to compact: every record of " + topic + " is in its active segment;"
                    + " produce more or use smaller segments");
            System.exit(2);
        }
        long sizeBefore = logBytes(partitionDir);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            warmUp(producer, size);
            OtherLoad idle = OtherLoad.start(producer, size);
            TimeUnit.SECONDS.sleep(IDLE_SECONDS); // a fixed measuring window, not a synchronisation
            System.out.printf(Locale.ROOT, "other-idle-mbs=%.2f%n", idle.stop());

            OtherLoad during = OtherLoad.start(producer, size);
            long start = System.nanoTime();
            makeDue(bootstrap, topic);
            long deadline = start + TimeUnit.SECONDS.toNanos(deadlineSeconds);
            while (cleanedUpTo(dataDir, tp) < target) {
                if (System.nanoTime() > deadline) {
                    during.stop();
                    System.out.println("compact-seconds=timeout");
                    System.exit(1);
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double duringMbs = during.stop();
            System.out.printf(Locale.ROOT, "compact-seconds=%.2f%n", seconds);
            System.out.printf(Locale.ROOT, "compacted-mb=%.1f%n", sizeBefore / 1e6);
            System.out.printf(Locale.ROOT, "compact-mbs=%.1f%n", sizeBefore / 1e6 / seconds);
            System.out.printf(Locale.ROOT, "other-during-mbs=%.2f%n", duringMbs);
        }
    }

    /** Produces {@code size}-byte records to {@code other} as fast as the broker takes them. */
    private static final class OtherLoad {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong acked = new AtomicLong();
        private final Thread thread;
        private final long startNs = System.nanoTime();

        private OtherLoad(KafkaProducer<byte[], byte[]> producer, int size) {
            byte[] value = new byte[size];
            new Random(7).nextBytes(value);
            thread = new Thread(
                    () -> {
                        int partition = 0;
                        while (running.get()) {
                            producer.send(new ProducerRecord<>(OTHER, partition++ % 6, null, value), (m, e) -> {
                                if (e == null) {
                                    acked.addAndGet(value.length);
                                }
                            });
                        }
                    },
                    "other-load");
        }

        static OtherLoad start(KafkaProducer<byte[], byte[]> producer, int size) {
            OtherLoad load = new OtherLoad(producer, size);
            load.thread.start();
            return load;
        }

        /** Stops sending and returns the MB/s acknowledged while it ran. */
        double stop() throws InterruptedException {
            double seconds = (System.nanoTime() - startNs) / 1e9;
            long bytes = acked.get();
            running.set(false);
            thread.join();
            return bytes / 1e6 / seconds;
        }
    }

    /** Connections, metadata and the client's JIT warmed up before anything is measured. */
    private static void warmUp(KafkaProducer<byte[], byte[]> producer, int size) throws Exception {
        byte[] value = new byte[size];
        for (int i = 0; i < WARM_UP_RECORDS; i++) {
            producer.send(new ProducerRecord<>(OTHER, i % 6, null, value));
        }
        producer.flush();
    }

    private static void makeDue(String bootstrap, String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            AlterConfigOp op = new AlterConfigOp(
                    new ConfigEntry(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01"), AlterConfigOp.OpType.SET);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get();
        }
    }

    /** The offset the broker's cleaner checkpointed for {@code tp}: Kafka and Varve write the same file. */
    private static long cleanedUpTo(Path dataDir, TopicPartition tp) {
        try {
            return new OffsetCheckpointFile(dataDir.resolve("cleaner-offset-checkpoint"))
                    .read()
                    .getOrDefault(tp, -1L);
        } catch (IOException e) {
            return -1L; // being replaced: read it again
        }
    }

    private static long activeSegmentBase(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(LogFiles.LOG_SUFFIX))
                    .mapToLong(name -> LogFiles.offsetFromFileName(name).getAsLong())
                    .max()
                    .orElseThrow();
        }
    }

    private static long logBytes(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(LogFiles.LOG_SUFFIX))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }
}
