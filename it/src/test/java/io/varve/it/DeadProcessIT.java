package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.ScriptClusterTest;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code varve.cluster.dead-process-check}: a node whose process dies is downed as soon as the journal
 * database released its lock, not after the failure detector. The failure detector here waits 60 s,
 * longer than every deadline of the test, so only the check can explain a failover in time:
 *
 * <ol>
 *   <li>{@code kill -9} of the controller's node, which leads a partition: the others down it, a new
 *       controller starts and a new leader takes the partition, and acks=all produces with a 40 s
 *       delivery timeout are acknowledged; every record reads back in order;
 *   <li>a paused node keeps its lock: node A is paused, then node B killed; the third node downs B
 *       and, in the same checks that saw B's lock gone, saw A's held, so it never judges A.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeadProcessIT extends ScriptClusterTest {
    /** Well within the 60 s the failure detector needs to mark a silent node unreachable. */
    private static final Duration DEADLINE = Duration.ofSeconds(40);

    @BeforeAll
    static void start() throws Exception {
        startCluster(DeadProcessIT.class, "varve.cluster.failure-detector-pause = 60s\n");
    }

    @Test
    @Order(1)
    void aKilledControllersNodeIsReplacedWithoutWaitingForTheFailureDetector() throws Exception {
        int controller = admin.describeCluster().controller().get().id();
        List<Integer> replicas = new ArrayList<>(List.of(controller));
        IntStream.rangeClosed(1, 3).filter(n -> n != controller).forEach(replicas::add);
        String topic = "led-by-the-controller";
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, replicas))))
                .all()
                .get();
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> acknowledged = new ArrayList<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                (int) DEADLINE.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000))) {
            send(producer, tp, "before", acknowledged);
            cluster.kill(controller);
            send(producer, tp, "after", acknowledged);
        }
        Conditions.require(
                DEADLINE,
                "a controller other than node " + controller,
                () -> admin.describeCluster().controller().get().id() != controller);
        assertThat(replicas.subList(1, 3))
                .as("the nodes that downed node %d for its released lock", controller)
                .anyMatch(n -> gone(controller).matcher(cluster.log(n)).find());
        assertThat(cluster.values(tp, DEADLINE))
                .as("every acknowledged record, in order")
                .isEqualTo(acknowledged);
        cluster.startMissing();
    }

    @Test
    @Order(2)
    void aPausedNodeKeepsItsLockAndIsNotJudged() throws Exception {
        int paused = 1;
        int killed = 2;
        int watching = 3;
        int logStart = cluster.log(watching).length();
        cluster.pause(paused);
        try {
            cluster.kill(killed);
            Conditions.require(DEADLINE, "node " + watching + " downs the killed node " + killed, () -> gone(killed)
                    .matcher(cluster.log(watching).substring(logStart))
                    .find());
            assertThat(cluster.log(watching).substring(logStart))
                    .as("node %d's checks saw the paused node's lock held", watching)
                    .doesNotContainPattern(gone(paused));
        } finally {
            cluster.resume(paused);
        }
        cluster.startMissing();
        assertThat(cluster.log(watching).substring(logStart))
                .as("node %d's log once the paused node resumed and the killed one started again", watching)
                .doesNotContainPattern(gone(paused));
    }

    /** The line a node logs when it downs node {@code n} (its cluster address) for a released lock. */
    private static Pattern gone(int n) {
        return Pattern.compile("the process of member pekko://varve@[^ ]+:" + cluster.clusterPort(n)
                + " \\(incarnation -?\\d+\\) is gone");
    }

    private static void send(
            KafkaProducer<String, String> producer, TopicPartition tp, String phase, List<String> acknowledged)
            throws Exception {
        for (int i = 0; i < 10; i++) {
            String value = phase + "-" + i;
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k", value))
                    .get();
            acknowledged.add(value);
        }
    }
}
