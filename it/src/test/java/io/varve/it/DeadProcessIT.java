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
 *       and, in the same checks that saw B's lock gone, saw A's held, so it never judges A;
 *   <li>a restart of the journal database, which drops every lock at once, downs nobody: every node
 *       fails a read while it is stopped and takes its lock again when it is back; then a node is
 *       killed, and the others down it and no one else.
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
            sendTen(producer, tp, "before", acknowledged);
            cluster.kill(controller);
            sendTen(producer, tp, "after", acknowledged);
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

    @Test
    @Order(3)
    void aRestartOfTheJournalDatabaseDownsNobody() throws Exception {
        int[] logStart =
                IntStream.rangeClosed(1, 3).map(n -> cluster.log(n).length()).toArray();
        cluster.stopJournalDatabase(); // every lock is gone with it
        Conditions.require(DEADLINE, "every node failed to read the locks", () -> IntStream.rangeClosed(1, 3)
                .allMatch(n -> since(n, logStart).contains("cannot read the process locks")));
        cluster.startMissing(); // starts PostgreSQL again; every node still runs
        Conditions.require(DEADLINE, "every node took its lock again", () -> IntStream.rangeClosed(1, 3)
                .allMatch(n ->
                        since(n, logStart).contains("the process locks in the journal database can be read again")));
        // a node that judges the killed one has settled after the restart: had it counted a lock that was
        // only being taken again as a dead process, it would have judged that member in the same reads
        int killed = 3;
        cluster.kill(killed);
        Conditions.require(DEADLINE, "a node downs the killed node " + killed, () -> IntStream.of(1, 2)
                .anyMatch(n -> gone(killed).matcher(since(n, logStart)).find()));
        for (int n : new int[] {1, 2}) {
            for (int other : new int[] {1, 2}) {
                assertThat(since(n, logStart))
                        .as("node %d's log since the database stopped", n)
                        .doesNotContainPattern(gone(other));
            }
        }
        cluster.startMissing();
    }

    private static String since(int n, int[] logStart) {
        return cluster.log(n).substring(logStart[n - 1]);
    }

    /** The line a node logs when it downs node {@code n} (its cluster address) for a released lock. */
    private static Pattern gone(int n) {
        return Pattern.compile("the process of member pekko://varve@[^ ]+:" + cluster.clusterPort(n)
                + " \\(incarnation -?\\d+\\) is gone");
    }
}
