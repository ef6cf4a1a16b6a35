package io.varve.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * What the first start of an in-JVM broker cannot go below on this stack (issue 16): each step a
 * Kafka-speaking Pekko node needs, alone, in a fresh JVM, timed from {@code main}. One step per JVM,
 * so none of them finds another's classes loaded or compiled:
 *
 * <ul>
 *   <li>{@code config}: the configuration loaded (every {@code reference.conf} on the class path);
 *   <li>{@code local}: a local typed {@code ActorSystem} created and terminated;
 *   <li>{@code cluster}: a one-node Pekko cluster (Artery on a free port, the embedded node's timer
 *       settings) created, joined to itself and Up;
 *   <li>{@code schemas}: Kafka's protocol schemas built ({@code ApiKeys}' initialisation, which every
 *       broker answering ApiVersions needs);
 *   <li>{@code produce BOOTSTRAP TOPIC}: a kafka-clients producer's first acknowledged produce
 *       (acks=1) to a broker already running in another process: the client side of the figure.
 * </ul>
 *
 * Prints {@code floor-STEP-ms=N}. Usage: {@code StartFloorProbe STEP [BOOTSTRAP TOPIC]}.
 */
public final class StartFloorProbe {
    private StartFloorProbe() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception | LinkageError e) {
            e.printStackTrace();
            System.out.println("floor-" + args[0] + "-ms=failed");
            System.exit(1); // the actor system's threads would keep the JVM alive
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        long start = System.nanoTime();
        switch (args[0]) {
            case "config" -> ConfigFactory.load().getConfig("pekko");
            case "local" -> {
                ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "floor");
                System.out.println(
                        "floor-local-created-ms=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            case "cluster" -> clusterUp();
            case "schemas" -> {
                if (ApiKeys.values().length == 0 || ApiKeys.PRODUCE.latestVersion() < 0) {
                    throw new IllegalStateException("no schemas");
                }
            }
            case "produce" -> produce(args[1], args[2]);
            default -> throw new IllegalArgumentException("step: config, local, cluster, schemas or produce");
        }
        System.out.println("floor-" + args[0] + "-ms=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void clusterUp() throws Exception {
        Config config = ConfigFactory.parseMap(Map.of(
                        "pekko.actor.provider", "cluster",
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0,
                        "pekko.remote.artery.advanced.inbound-lanes", 1,
                        "pekko.cluster.periodic-tasks-initial-delay", "10ms",
                        "pekko.cluster.leader-actions-interval", "100ms",
                        "pekko.java-flight-recorder.enabled", "off"))
                .withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "floor", config);
        Cluster cluster = Cluster.get(system);
        CompletableFuture<Void> up = new CompletableFuture<>();
        org.apache.pekko.cluster.Cluster.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
                .registerOnMemberUp(() -> up.complete(null));
        cluster.manager().tell(new Join(cluster.selfMember().address()));
        // Pekko's own signal that this member is Up; the typed selfMember() may still show the read
        // view's initial Removed for a moment after it (a probe once failed on that race)
        up.get(30, TimeUnit.SECONDS);
    }

    private static void produce(String bootstrap, String topic) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(EmbeddedStartupProbe.producerSettings(bootstrap))) {
            producer.send(new ProducerRecord<>(topic, new byte[] {1})).get(60, TimeUnit.SECONDS);
            producer.close(Duration.ZERO);
        }
    }
}
