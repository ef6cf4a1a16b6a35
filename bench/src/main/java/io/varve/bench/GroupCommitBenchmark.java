package io.varve.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.varve.actors.VarveNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Offset commits per second of one consumer group: {@code consumers} real kafka-clients consumers
 * subscribe to one topic of {@code partitions} partitions (range assignment, so each owns its
 * share) and, once the group is stable, each loops {@code commitSync} of all its partitions at a
 * new offset. Reports partition offsets committed per second, OffsetCommit requests per second and
 * the commitSync latency, over a measured window after a warm-up.
 *
 * <p>Drives a node started in-process from {@code application.conf} (data in {@code bench/target}),
 * or any broker given with {@code -Dbench.bootstrap=host:port} (Apache Kafka for a comparison).
 * Settings: {@code -Dbench.partitions=1000 -Dbench.consumers=10 -Dbench.warmup=5 -Dbench.seconds=20}.
 */
public final class GroupCommitBenchmark {
    private static final String TOPIC = "bench-commits";

    private final int partitions = Integer.getInteger("bench.partitions", 1000);
    private final int consumers = Integer.getInteger("bench.consumers", 10);
    private final long warmupNanos = TimeUnit.SECONDS.toNanos(Integer.getInteger("bench.warmup", 5));
    private final long measureNanos = TimeUnit.SECONDS.toNanos(Integer.getInteger("bench.seconds", 20));

    private GroupCommitBenchmark() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = System.getProperty("bench.bootstrap");
        VarveNode node = null;
        if (bootstrap == null) {
            node = startNode();
            var address = node.awaitReady(Duration.ofSeconds(60));
            bootstrap = address.getHostString() + ":" + address.getPort();
        }
        try {
            new GroupCommitBenchmark().run(bootstrap);
        } finally {
            if (node != null) {
                node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static VarveNode startNode() throws Exception {
        Path dataDir = Files.createTempDirectory(
                Files.createDirectories(Path.of("bench/target").toAbsolutePath()), "group-commit");
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("varve.data-dir", dataDir.toString());
        overrides.put("varve.transport.port", 0);
        overrides.put("varve.cluster.port", 0);
        overrides.put("pekko.loglevel", "WARNING");
        Config config = ConfigFactory.parseMap(overrides)
                .withFallback(ConfigFactory.parseFile(new File("application.conf")))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        return VarveNode.start(config);
    }

    private void run(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1)))
                    .all()
                    .get(120, TimeUnit.SECONDS);
        }
        String group = "bench-group-" + System.currentTimeMillis();
        AtomicInteger stable = new AtomicInteger();
        CountDownLatch allStable = new CountDownLatch(1);
        List<Committer> committers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Committer committer = new Committer(consumer(bootstrap, group, i), stable, allStable);
            committers.add(committer);
            Thread thread = new Thread(committer, "committer-" + i);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        report(committers);
    }

    private KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group, int index) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "committer-" + index);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** One consumer on its own thread: joins, waits for the whole group, then commits in a loop. */
    private final class Committer implements Runnable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AtomicInteger stable;
        private final CountDownLatch allStable;
        private long[] latenciesNanos = new long[1 << 16];
        private int measured;
        private long failures;

        Committer(KafkaConsumer<byte[], byte[]> consumer, AtomicInteger stable, CountDownLatch allStable) {
            this.consumer = consumer;
            this.stable = stable;
            this.allStable = allStable;
        }

        @Override
        public void run() {
            try (consumer) {
                awaitStableGroup();
                commitLoop();
            }
        }

        private void awaitStableGroup() {
            consumer.subscribe(List.of(TOPIC));
            int share = partitions / consumers;
            boolean counted = false;
            while (allStable.getCount() > 0) {
                consumer.poll(Duration.ofMillis(100));
                boolean mine = consumer.assignment().size() == share;
                if (mine && !counted && stable.incrementAndGet() == consumers) {
                    allStable.countDown();
                }
                counted |= mine;
            }
        }

        private void commitLoop() {
            long start = System.nanoTime();
            long measureFrom = start + warmupNanos;
            long end = measureFrom + measureNanos;
            long offset = 0;
            while (true) {
                long before = System.nanoTime();
                if (before >= end) {
                    return;
                }
                offset++;
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (TopicPartition partition : consumer.assignment()) {
                    offsets.put(partition, new OffsetAndMetadata(offset));
                }
                try {
                    consumer.commitSync(offsets);
                } catch (RuntimeException e) {
                    failures++;
                    consumer.poll(Duration.ZERO);
                    continue;
                }
                long after = System.nanoTime();
                if (before >= measureFrom && after <= end) {
                    record(after - before);
                }
            }
        }

        private void record(long nanos) {
            if (measured == latenciesNanos.length) {
                latenciesNanos = Arrays.copyOf(latenciesNanos, measured * 2);
            }
            latenciesNanos[measured++] = nanos;
        }
    }

    private void report(List<Committer> committers) {
        long requests = 0;
        long failures = 0;
        List<Long> all = new ArrayList<>();
        for (Committer c : committers) {
            requests += c.measured;
            failures += c.failures;
            for (int i = 0; i < c.measured; i++) {
                all.add(c.latenciesNanos[i]);
            }
        }
        all.sort(Long::compare);
        double seconds = measureNanos / 1e9;
        int perRequest = partitions / consumers;
        System.out.printf(
                "partitions=%d consumers=%d measured=%.0fs%n"
                        + "OffsetCommit requests/s: %.0f%n"
                        + "partition offsets committed/s: %.0f%n"
                        + "commitSync latency ms: p50 %.2f p99 %.2f max %.2f%n"
                        + "failed commits (whole run): %d%n",
                partitions,
                consumers,
                seconds,
                requests / seconds,
                requests * perRequest / seconds,
                percentileMs(all, 0.50),
                percentileMs(all, 0.99),
                percentileMs(all, 1.0),
                failures);
    }

    private static double percentileMs(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return sorted.get(Math.max(index, 0)) / 1e6;
    }
}
