import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Startup probe for bench/startup-embedded.sh: Apache Kafka 4.3.1's own in-JVM test broker
 * (KafkaClusterTestKit, one combined broker+controller, as Kafka's own tests start it) from its
 * build to the first acknowledged produce (acks=1) on a topic created through its Admin, in this
 * fresh JVM. Prints {@code start-to-ack-ms=N} (from the start of the build, the moment a test's
 * setup would begin) and {@code launch-to-ack-ms=N} (from the JVM's launch, given in epoch ms by
 * the script), {@code cpu-to-ack-ms=N} (CPU time of the whole JVM until the ack) and {@code
 * start-to-ready-ms=N} (from the build until the topic was created: the rest is the producer's). With a second
 * argument N it then builds, starts and closes the test kit N more times in this JVM and prints
 * {@code warm-start-to-ack-ms=a,b,...} and {@code warm-class-ms=a,b,...} (build to closed). Compiled and run by the script on Kafka 4.3.1's class path only; not Varve code.
 */
public final class KafkaTestKitProbe {
    public static void main(String[] args) throws Exception {
        long launchedAt = Long.parseLong(args[0]);
        int warmStarts = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        long[] first = startAndProduce();
        System.out.println("start-to-ack-ms=" + TimeUnit.NANOSECONDS.toMillis(first[0]));
        System.out.println("launch-to-ack-ms=" + (first[1] - launchedAt));
        System.out.println("start-to-ready-ms=" + TimeUnit.NANOSECONDS.toMillis(first[3]));
        System.out.println("cpu-to-ack-ms=" + TimeUnit.NANOSECONDS.toMillis(first[2]));
        List<String> warm = new ArrayList<>();
        List<String> cycles = new ArrayList<>();
        for (int i = 0; i < warmStarts; i++) {
            long before = System.nanoTime();
            warm.add(String.valueOf(TimeUnit.NANOSECONDS.toMillis(startAndProduce()[0])));
            cycles.add(String.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)));
        }
        if (warmStarts > 0) {
            System.out.println("warm-start-to-ack-ms=" + String.join(",", warm));
            System.out.println("warm-class-ms=" + String.join(",", cycles));
        }
    }

    /** One test kit built, started and closed: {nanos from the build to the ack, epoch ms of the ack, JVM CPU nanos at the ack, nanos from the build to the topic created}. */
    private static long[] startAndProduce() throws Exception {
        long start = System.nanoTime();
        try (KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                .build()) {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            try (Admin admin = cluster.admin()) {
                admin.createTopics(List.of(new NewTopic("startup-probe", 1, (short) 1))).all().get();
            }
            long ready = System.nanoTime() - start; // the broker is up with its topic: the rest is the client
            long acked;
            long ackedEpochMs;
            long ackedCpuNanos;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "1",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
                producer.send(new ProducerRecord<>("startup-probe", new byte[] {1})).get(60, TimeUnit.SECONDS);
                acked = System.nanoTime();
                ackedEpochMs = System.currentTimeMillis();
                ackedCpuNanos = ((com.sun.management.OperatingSystemMXBean)
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime();
            }
            return new long[] {acked - start, ackedEpochMs, ackedCpuNanos, ready};
        }
    }
}
