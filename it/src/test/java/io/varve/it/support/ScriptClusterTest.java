package io.varve.it.support;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;

/**
 * Base of the integration tests whose methods share one three-node cluster of real processes per test
 * class ({@link ScriptCluster}: {@code bin/varve cluster start} on a throwaway PostgreSQL). A subclass
 * starts it from its own {@code @BeforeAll} with {@link #startCluster}; it is stopped after the class.
 * Test classes run one after another, so the one cluster field is never shared by two of them.
 */
public abstract class ScriptClusterTest {
    /**
     * Configuration every cluster test runs with. CI machines are shared: with the default failure
     * detector a node whose heartbeats a load average of 80 delayed was downed while it started; these
     * tests assert what survives a failover, not how fast it is ({@code bench/run.sh --cluster} measures
     * that).
     */
    private static final String SHARED_CONFIG =
            """
            varve.replication.replica-lag-time-max = 10s
            varve.cluster.failure-detector-pause = 10s
            """;

    protected static ScriptCluster cluster;
    protected static Admin admin;

    /** Starts the class's cluster in {@code it/target/<class name>} with {@code extraConfig} added. */
    protected static void startCluster(Class<?> testClass, String extraConfig)
            throws IOException, InterruptedException {
        startCluster(testClass, extraConfig, prepared -> {});
    }

    /** As {@link #startCluster(Class, String)}, preparing the emptied directory before the nodes start. */
    protected static void startCluster(Class<?> testClass, String extraConfig, ScriptCluster.Preparation preparation)
            throws IOException, InterruptedException {
        cluster = ScriptCluster.start(
                BuildFiles.itTarget().resolve(testClass.getSimpleName()), SHARED_CONFIG + extraConfig, preparation);
        admin = cluster.admin();
    }

    /** The class's cluster directory, {@code it/target/<class name>}. */
    protected static java.nio.file.Path clusterDir(Class<?> testClass) {
        return BuildFiles.itTarget().resolve(testClass.getSimpleName());
    }

    /**
     * Produces {@code phase-0} ... {@code phase-9} to {@code tp} one at a time, each acknowledged before
     * the next, appending each to {@code acknowledged} once it is.
     */
    protected static void sendTen(
            KafkaProducer<String, String> producer, TopicPartition tp, String phase, List<String> acknowledged)
            throws Exception {
        for (int i = 0; i < 10; i++) {
            String value = phase + "-" + i;
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value))
                    .get();
            acknowledged.add(value);
        }
    }

    @AfterAll
    protected static void stopCluster() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
