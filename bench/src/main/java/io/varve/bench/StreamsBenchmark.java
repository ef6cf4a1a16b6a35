package io.varve.bench;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.embedded.Varve;
import io.varve.connectors.stream.Acks;
import io.varve.connectors.stream.SinkSettings;
import io.varve.connectors.stream.SourceSettings;
import io.varve.connectors.stream.StartOffset;
import io.varve.connectors.stream.VarveConsumer;
import io.varve.connectors.stream.VarveProducer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.Producer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Records per second of Varve's in-process Pekko Streams stages against pekko-connectors-kafka
 * 1.2.0 over loopback, both to the same embedded node in this JVM and both materialized in the same
 * application ActorSystem (issue 16). Each round writes {@code records} records of {@code
 * valueBytes} bytes (no key) to a fresh topic of {@code partitions} partitions with each producer
 * side, then reads them all back three ways: the native source's own records ({@code
 * VarveConsumer.topicRecords}, {@code VarveRecord}: no copy, no deserializer), the native source's
 * {@code ConsumerRecord}s ({@code topicSource}, byte[] deserializers as the connector's) and
 * pekko-connectors-kafka's {@code plainSource}; the order alternates (produce) or rotates (consume)
 * between rounds, after {@code warmup} unmeasured rounds. Each measurement also reports the JVM's
 * CPU time (node and clients together) and the load average.
 * Both producers use {@code acks=all} with idempotence (both libraries' default) and 64 KiB
 * batches; the Kafka producer lingers 5 ms as bench/lib.sh's. Prints one line per measurement and
 * a Markdown table of medians and native/connector ratios, also written to {@code
 * bench/target/streams.md}.
 *
 * <p>Settings: {@code -Dbench.records=10000000 -Dbench.valueBytes=100 -Dbench.partitions=6
 * -Dbench.rounds=3 -Dbench.warmup=1}; {@code -Dbench.only=native|connector} runs one side (profiling);
 * {@code -Dbench.readBytes=N} sets the native sources' bytes per read.
 */
public final class StreamsBenchmark {
    private final int records = Integer.getInteger("bench.records", 10_000_000);
    private final int valueBytes = Integer.getInteger("bench.valueBytes", 100);
    private final int partitions = Integer.getInteger("bench.partitions", 6);
    private final int rounds = Integer.getInteger("bench.rounds", 3);
    /** Unmeasured rounds first, so the JIT has compiled both sides before anything counts. */
    private final int warmupRounds = Integer.getInteger("bench.warmup", 1);
    /** "native" or "connector" runs one side only (for profiling); unset runs both. */
    private final String only = System.getProperty("bench.only", "");
    /** The native sources' bytes per read; unset, their default ({@code SourceSettings.create}). */
    private final Integer readBytes = Integer.getInteger("bench.readBytes");

    private final Map<String, List<Double>> results = new LinkedHashMap<>();
    private EmbeddedVarve node;
    private ActorSystem<Void> application;

    private StreamsBenchmark() {}

    public static void main(String[] args) throws Exception {
        new StreamsBenchmark().run();
    }

    private void run() throws Exception {
        node = Varve.builder().config("pekko.loglevel", "WARNING").start();
        application = ActorSystem.create(Behaviors.empty(), "application");
        try {
            for (int round = 1 - warmupRounds; round <= rounds; round++) {
                String nativeTopic = "native-r" + (round + warmupRounds);
                String kafkaTopic = "connector-r" + (round + warmupRounds);
                node.createTopic(nativeTopic, partitions);
                node.createTopic(kafkaTopic, partitions);
                boolean nativeFirst = Math.floorMod(round, 2) == 1;
                measurePair(
                        round,
                        "produce",
                        nativeFirst,
                        () -> nativeProduce(nativeTopic),
                        () -> connectorProduce(kafkaTopic));
                // three readers of the same records: the order rotates between rounds
                List<Map.Entry<String, Supplier<CompletionStage<Done>>>> readers = new ArrayList<>(List.of(
                        Map.entry("consume native", () -> nativeConsume(nativeTopic)),
                        Map.entry("consume native-cr", () -> nativeConsumerRecords(nativeTopic)),
                        Map.entry("consume pekko-connectors-kafka", () -> connectorConsume(kafkaTopic))));
                java.util.Collections.rotate(readers, Math.floorMod(round, readers.size()));
                for (Map.Entry<String, Supplier<CompletionStage<Done>>> reader : readers) {
                    measure(round, reader.getKey(), reader.getValue());
                }
            }
            String table = table();
            System.out.println(table);
            Path out = Path.of("bench/target/streams.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
        } finally {
            application.terminate();
            application.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            node.close();
        }
    }

    private void measurePair(
            int round,
            String what,
            boolean nativeFirst,
            Supplier<CompletionStage<Done>> nativeRun,
            Supplier<CompletionStage<Done>> connectorRun)
            throws Exception {
        if (nativeFirst) {
            measure(round, what + " native", nativeRun);
            measure(round, what + " pekko-connectors-kafka", connectorRun);
        } else {
            measure(round, what + " pekko-connectors-kafka", connectorRun);
            measure(round, what + " native", nativeRun);
        }
    }

    private void measure(int round, String what, Supplier<CompletionStage<Done>> run) throws Exception {
        if (!only.isEmpty() && !what.contains(only.equals("native") ? "native" : "pekko")) {
            return;
        }
        System.gc();
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        run.get().toCompletableFuture().get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        double rate = records / seconds;
        if (round > 0) {
            results.computeIfAbsent(what, k -> new ArrayList<>()).add(rate);
            results.computeIfAbsent(what + " per CPU s", k -> new ArrayList<>()).add(records / cpuSeconds);
        }
        System.out.printf(
                Locale.ROOT,
                "%s %d %-32s %,12.0f records/s (%.2f s; JVM CPU %.2f s, %,.0f records per CPU s) load %s%n",
                round > 0 ? "round" : "warm-up",
                round,
                what,
                rate,
                seconds,
                cpuSeconds,
                records / cpuSeconds,
                loadAverage());
    }

    private byte[] value() {
        return new byte[valueBytes];
    }

    private CompletionStage<Done> nativeProduce(String topic) {
        byte[] value = value();
        return Source.range(1, records)
                .map(i -> new ProducerRecord<byte[], byte[]>(topic, value))
                .runWith(
                        VarveProducer.sink(
                                node,
                                SinkSettings.create(new ByteArraySerializer(), new ByteArraySerializer())
                                        .withAcks(Acks.ALL)
                                        .withBatchBytes(64 * 1024)),
                        application);
    }

    private CompletionStage<Done> connectorProduce(String topic) {
        byte[] value = value();
        ProducerSettings<byte[], byte[]> settings = ProducerSettings.create(
                        application, new ByteArraySerializer(), new ByteArraySerializer())
                .withBootstrapServers(node.bootstrapServers())
                .withProperty(ProducerConfig.ACKS_CONFIG, "all")
                .withProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(64 * 1024))
                .withProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        return Source.range(1, records)
                .map(i -> new ProducerRecord<byte[], byte[]>(topic, value))
                .runWith(Producer.plainSink(settings), application);
    }

    private SourceSettings<byte[], byte[]> nativeSettings() {
        SourceSettings<byte[], byte[]> settings =
                SourceSettings.create(new ByteArrayDeserializer(), new ByteArrayDeserializer());
        return readBytes == null ? settings : settings.withMaxBytesPerRead(readBytes);
    }

    /** The native source's own record type: key and value stay slices of the read, not deserialized. */
    private CompletionStage<Done> nativeConsume(String topic) {
        SourceSettings<byte[], byte[]> settings = nativeSettings();
        return VarveConsumer.topicRecords(node, settings, topic, StartOffset.earliest())
                .take(records)
                .runWith(Sink.ignore(), application);
    }

    /** The native source emitting Kafka's ConsumerRecords (byte[] values copied), like for like. */
    private CompletionStage<Done> nativeConsumerRecords(String topic) {
        SourceSettings<byte[], byte[]> settings = nativeSettings();
        return VarveConsumer.topicSource(node, settings, topic, StartOffset.earliest())
                .take(records)
                .runWith(Sink.ignore(), application);
    }

    private CompletionStage<Done> connectorConsume(String topic) {
        ConsumerSettings<byte[], byte[]> settings = ConsumerSettings.create(
                        application, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(node.bootstrapServers())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        TopicPartition[] assignment = new TopicPartition[partitions];
        for (int p = 0; p < partitions; p++) {
            assignment[p] = new TopicPartition(topic, p);
        }
        return Consumer.plainSource(settings, Subscriptions.assignment(assignment))
                .take(records)
                .runWith(Sink.ignore(), application);
    }

    private String table() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "%d rounds, %,d records of %d bytes, %d partitions, one JVM (embedded node + both clients)%n%n",
                rounds,
                records,
                valueBytes,
                partitions));
        md.append("| workload | native records/s | pekko-connectors-kafka records/s | native / connector (medians)"
                + " | per-round ratios | per CPU second: native / connector (medians) |\n");
        md.append("|---|---|---|---|---|---|\n");
        String connector = " pekko-connectors-kafka";
        row(md, "produce", "produce native", "produce" + connector);
        row(md, "consume, VarveRecord", "consume native", "consume" + connector);
        row(md, "consume, ConsumerRecord", "consume native-cr", "consume" + connector);
        return md.toString();
    }

    private void row(StringBuilder md, String label, String nativeSide, String connectorSide) {
        List<Double> nativeRates = results.getOrDefault(nativeSide, List.of(Double.NaN));
        List<Double> connectorRates = results.getOrDefault(connectorSide, List.of(Double.NaN));
        List<String> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(nativeRates.size(), connectorRates.size()); i++) {
            ratios.add(String.format(Locale.ROOT, "%.2f", nativeRates.get(i) / connectorRates.get(i)));
        }
        double perCpu = median(results.getOrDefault(nativeSide + " per CPU s", List.of(Double.NaN)))
                / median(results.getOrDefault(connectorSide + " per CPU s", List.of(Double.NaN)));
        md.append(String.format(
                Locale.ROOT,
                "| %s | %,.0f | %,.0f | %.2f | %s | %.2f |%n",
                label,
                median(nativeRates),
                median(connectorRates),
                median(nativeRates) / median(connectorRates),
                String.join(", ", ratios),
                perCpu));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
