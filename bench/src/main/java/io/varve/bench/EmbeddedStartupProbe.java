package io.varve.bench;

import io.varve.junit5.BootstrapServers;
import io.varve.junit5.Topic;
import io.varve.junit5.VarveTest;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Startup probe for bench/startup-embedded.sh (issue 16): in a fresh JVM, runs a test class that
 * uses the {@code varve-junit5} extension ({@link VarveTest}, one topic) through the JUnit Platform
 * launcher, as a build would, and measures from the extension's start (its {@code beforeAll}: the
 * node starts there) to the first acknowledged produce (acks=1) from the test method. Prints
 * {@code start-to-ack-ms=N}, {@code launch-to-ack-ms=N} (from the JVM's launch, given in epoch
 * ms by the script) and {@code cpu-to-ack-ms=N}, the CPU time the whole JVM used until the ack: on a
 * loaded machine the wall-clock figures stretch with everyone else's load, the CPU time does not.
 * {@code start-to-ready-ms=N} splits the first figure: until the test method began (the node up with
 * its topic), the rest being the client's (its producer created, its metadata and its produce).
 * With a second argument N it then runs the same test class N more times in this JVM (a node
 * started and closed each time, as each later test class of a build gets its own) and prints {@code
 * warm-start-to-ack-ms=a,b,...}, each from the extension's start to the ack, and {@code
 * warm-class-ms=a,b,...}, each the whole test class's run (the node started, the produce, the node
 * closed), and {@code warm-start-to-ready-ms=a,b,...}, the part of each warm start until the test
 * method began.
 */
public final class EmbeddedStartupProbe {
    private static volatile long extensionStartNanos;
    private static volatile long readyNanos;
    private static volatile long ackedNanos;
    private static volatile long ackedEpochMs;
    private static volatile long ackedCpuNanos;

    private EmbeddedStartupProbe() {}

    public static void main(String[] args) {
        long launchedAt = Long.parseLong(args[0]);
        int warmStarts = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        Launcher launcher = LauncherFactory.create();
        if (!runTestClass(launcher)) {
            System.out.println("start-to-ack-ms=failed");
            System.exit(1);
        }
        System.out.println("start-to-ack-ms=" + TimeUnit.NANOSECONDS.toMillis(ackedNanos - extensionStartNanos));
        System.out.println("launch-to-ack-ms=" + (ackedEpochMs - launchedAt));
        System.out.println("start-to-ready-ms=" + TimeUnit.NANOSECONDS.toMillis(readyNanos - extensionStartNanos));
        System.out.println("cpu-to-ack-ms=" + TimeUnit.NANOSECONDS.toMillis(ackedCpuNanos));
        // the same test class again in this JVM, as a build's later test classes each get a node
        List<Long> warm = new ArrayList<>();
        List<Long> warmReady = new ArrayList<>();
        List<Long> cycles = new ArrayList<>();
        for (int i = 0; i < warmStarts; i++) {
            ackedNanos = 0;
            long before = System.nanoTime();
            if (!runTestClass(launcher)) {
                System.out.println("warm-start-to-ack-ms=failed");
                System.exit(1);
            }
            cycles.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before));
            warm.add(TimeUnit.NANOSECONDS.toMillis(ackedNanos - extensionStartNanos));
            warmReady.add(TimeUnit.NANOSECONDS.toMillis(readyNanos - extensionStartNanos));
        }
        if (warmStarts > 0) {
            System.out.println("warm-start-to-ack-ms=" + joined(warm));
            System.out.println("warm-start-to-ready-ms=" + joined(warmReady));
            System.out.println("warm-class-ms=" + joined(cycles));
        }
        System.exit(0);
    }

    private static String joined(List<Long> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Runs {@link FirstProduceTest} once through the launcher; true when it passed and acknowledged. */
    private static boolean runTestClass(Launcher launcher) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(FirstProduceTest.class))
                .build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, summary);
        if (summary.getSummary().getTotalFailureCount() > 0 || ackedNanos == 0) {
            summary.getSummary().getFailures().forEach(f -> f.getException().printStackTrace());
            return false;
        }
        return true;
    }

    /** The probes' producer: acks=1, not idempotent (no InitProducerId before the first produce), byte arrays. */
    static Map<String, Object> producerSettings(String bootstrapServers) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                "false",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class);
    }

    /** CPU time of the whole JVM so far (every thread, user and system), independent of the machine's load. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Registered before the Varve extension, so its beforeAll runs first: the extension's start. */
    public static final class StartClock implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            extensionStartNanos = System.nanoTime();
        }
    }

    /** What a user's test looks like: a node with one topic, one produce. */
    @ExtendWith(StartClock.class)
    @VarveTest(topics = @Topic(name = "startup-probe"))
    public static final class FirstProduceTest {
        @Test
        void firstProduce(@BootstrapServers String servers) throws Exception {
            readyNanos = System.nanoTime(); // the node is up with its topic: the rest is the client
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings(servers))) {
                producer.send(new ProducerRecord<>("startup-probe", new byte[] {1}))
                        .get(60, TimeUnit.SECONDS);
                ackedNanos = System.nanoTime();
                ackedEpochMs = System.currentTimeMillis();
                ackedCpuNanos = processCpuNanos();
            }
        }
    }
}
