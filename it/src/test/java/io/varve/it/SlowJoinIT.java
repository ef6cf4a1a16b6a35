package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.chaos.Link;
import io.varve.it.support.ScriptClusterTest;
import io.varve.storage.testing.Conditions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * F2 of the fault campaign ({@code docs/reliability.md}), reproduced: a seed node restarted next to a
 * running cluster whose cluster traffic to the others takes longer than a second. The node finds the
 * founding lease held and joins the running nodes through Pekko's seed-node process, whose handshake
 * (InitJoin, InitJoinAck, Join, Welcome) then takes several seconds. Before the fix the node sent
 * {@code JoinSeedNodes} again every lease tick (one second), which replaced the process before an
 * answer could reach it, so the node never joined; the campaign saw it as minutes-long joins on a
 * loaded machine. Here the slow path is real: nodes 1 and 2 advertise cluster ports on chaos {@link
 * Link}s, which carry every connection accepted after the kill two seconds late each way, so only
 * the restarted node's connections are slow.
 */
class SlowJoinIT extends ScriptClusterTest {
    private static final Duration ONE_WAY = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String TOPIC = "slow-join";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int RESTARTED = 3;
    private static final List<Link> links = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        startCluster(SlowJoinIT.class, "", prepared -> {
            for (int n = 1; n <= 2; n++) {
                int bound = freePort();
                // the node's canonical address stays 127.0.0.1:clusterPort(n), where its link listens
                Files.writeString(
                        prepared.dir().resolve("node-" + n + ".extra.conf"),
                        """
                        pekko.remote.artery.bind.hostname = "127.0.0.1"
                        pekko.remote.artery.bind.port = %d
                        """
                                .formatted(bound));
                links.add(Link.start(
                        "node-" + n + "-cluster",
                        new InetSocketAddress("127.0.0.1", prepared.clusterPort(n)),
                        new InetSocketAddress("127.0.0.1", bound)));
            }
        });
    }

    @AfterAll
    static void closeLinks() {
        stopCluster(); // before the links: nodes 1 and 2 talk through them while they leave
        links.forEach(Link::close);
        links.clear();
    }

    @Test
    void aSeedRestartedBehindASlowLinkJoinsTheRunningClusterAndCatchesUp() throws Exception {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();
        List<String> acknowledged = new ArrayList<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            sendTen(producer, TP, "before", acknowledged);
            cluster.kill(RESTARTED);
            links.forEach(link -> link.delayNewConnections(ONE_WAY));
            sendTen(producer, TP, "while-down", acknowledged);

            int logStart = cluster.log(RESTARTED).length();
            cluster.start(RESTARTED); // returns once the node registered with the controller: it joined
            String run = cluster.log(RESTARTED).substring(logStart);
            assertThat(run)
                    .as("node %d found the lease held and joined the running nodes", RESTARTED)
                    .contains("a cluster is running on this journal database")
                    .contains("joined the cluster as");
            assertThat(links.stream().mapToInt(Link::delayedConnections).sum())
                    .as("the restarted node's cluster connections crossed the slow links")
                    .isPositive();

            Conditions.require(
                    DEADLINE,
                    "node " + RESTARTED + " back in the ISR of " + TP,
                    () ->
                            admin
                                    .describeTopics(List.of(TOPIC))
                                    .allTopicNames()
                                    .get()
                                    .get(TOPIC)
                                    .partitions()
                                    .get(0)
                                    .isr()
                                    .stream()
                                    .anyMatch(node -> node.id() == RESTARTED));
            sendTen(producer, TP, "after", acknowledged);
        }
        assertThat(cluster.values(TP, DEADLINE))
                .as("every acknowledged record, in order")
                .isEqualTo(acknowledged);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
