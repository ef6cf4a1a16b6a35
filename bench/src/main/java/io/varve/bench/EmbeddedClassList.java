package io.varve.bench;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.embedded.Varve;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * For bench/embedded-class-list.sh: starts an embedded node with one topic (class preloading off),
 * then does what a test of Kafka code does first: a producer's first acknowledged produce. Prints
 * the JVM's uptime in ms just before the start ({@code start-uptime-ms=N}), once it returned ({@code
 * ready-uptime-ms=N}) and once the produce was acknowledged ({@code produced-uptime-ms=N}), so the
 * script keeps the classes the JVM's {@code -Xlog:class+load} shows loaded from the start to the
 * acknowledgement, in that order: the list {@code ClassPreloader} reads. (A consumer's classes are
 * not in it: loaded ahead in a JVM whose tests never consume, they made its later starts slower.)
 */
public final class EmbeddedClassList {
    private EmbeddedClassList() {}

    public static void main(String[] args) throws Exception {
        System.out.println("start-uptime-ms=" + uptime());
        try (EmbeddedVarve varve =
                Varve.builder().topic("class-list", 1).preloadClasses(false).start()) {
            System.out.println("ready-uptime-ms=" + uptime());
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(EmbeddedStartupProbe.producerSettings(varve.bootstrapServers()))) {
                producer.send(new ProducerRecord<>("class-list", new byte[] {1}))
                        .get(60, TimeUnit.SECONDS);
                System.out.println("produced-uptime-ms=" + uptime());
            }
            System.out.println("node at " + varve.bootstrapServers());
        }
        System.exit(0);
    }

    private static long uptime() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }
}
