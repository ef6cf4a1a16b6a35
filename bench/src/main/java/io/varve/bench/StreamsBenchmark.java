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
 * side, then reads them all back with each consumer side; the order alternates between rounds,
 * after {@code warmup} unmeasured rounds.
 * Both producers use {@code acks=all} with idempotence (both libraries' default) and 64 KiB
 * batches; the Kafka producer lingers 5 ms as bench/lib.sh's. Prints one line per measurement and
 * a Markdown table of medians and native/connector ratios, also written to {@code
 * bench/target/streams.md}.
 *
 * <p>Settings: {@code -Dbench.records=1000000 -Dbench.valueBytes=100 -Dbench.partitions=6
 * -Dbench.rounds=3 -Dbench.warmup=1}; {@code -Dbench.only=native|connector} runs one side (profiling).
 */
public final class StreamsBenchmark {
    private final int records = Integer.getInteger("bench.records", 1_000_000);
    private final int valueBytes = Integer.getInteger("bench.valueBytes", 100);
    private final int partitions = Integer.getInteger("bench.partitions", 6);
    private final int rounds = Integer.getInteger("bench.rounds", 3);
    /** Unmeasured rounds first, so the JIT has compiled both sides before anything counts. */
    private final int warmupRounds = Integer.getInteger("bench.warmup", 1);
    /** "native" or "connector" runs one side only (for profiling); unset runs both. */
    private final String only = System.getProperty("bench.only", "");

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
                measurePair(
                        round,
                        "consume",
                        nativeFirst,
                        () -> nativeConsume(nativeTopic),
                        () -> connectorConsume(kafkaTopic));
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
        long start = System.nanoTime();
        run.get().toCompletableFuture().get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = records / seconds;
        if (round > 0) {
            results.computeIfAbsent(what, k -> new ArrayList<>()).add(rate);
        }
        System.out.printf(
                Locale.ROOT,
                "%s %d %-32s %,12.0f records/s (%.2f s)%n",
                round > 0 ? "round" : "warm-up",
                round,
                what,
                rate,
                seconds);
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

    private CompletionStage<Done> nativeConsume(String topic) {
        SourceSettings<byte[], byte[]> settings =
                SourceSettings.create(new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
        md.append(
                "| workload | native records/s | pekko-connectors-kafka records/s | native / connector | per-round ratios |\n");
        md.append("|---|---|---|---|---|\n");
        for (String what : List.of("produce", "consume")) {
            List<Double> nativeRates = results.getOrDefault(what + " native", List.of(Double.NaN));
            List<Double> connectorRates = results.getOrDefault(what + " pekko-connectors-kafka", List.of(Double.NaN));
            List<String> ratios = new ArrayList<>();
            for (int i = 0; i < Math.min(nativeRates.size(), connectorRates.size()); i++) {
                ratios.add(String.format(Locale.ROOT, "%.2f", nativeRates.get(i) / connectorRates.get(i)));
            }
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %,.0f | %,.0f | %.2f | %s |%n",
                    what,
                    median(nativeRates),
                    median(connectorRates),
                    median(nativeRates) / median(connectorRates),
                    String.join(", ", ratios)));
        }
        return md.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
