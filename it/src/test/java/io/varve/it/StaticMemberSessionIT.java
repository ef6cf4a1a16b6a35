package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A static member (group.instance.id) that closes sends no LeaveGroup: it leaves at its session
 * timeout, counted from its last request (the offset commit of its close). librdkafka's 0081
 * DescribeConsumerGroups waits exactly that long after closing its consumers and deletes their
 * groups at once; Kafka's millisecond timer has expired them by then, and so must Varve: the group
 * entity expires what is due before any request, whatever its (tick-granular) timer does.
 */
class StaticMemberSessionIT {
    private static final int SESSION_MS = 6_000;
    private static final String TOPIC = "static-session";

    @TempDir
    static Path dataDir;

    private static VarveCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = VarveCluster.start(dataDir, Map.of("varve.group.initial-rebalance-delay", "0ms"));
        admin = Clients.admin(cluster);
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        admin.close();
        cluster.close();
    }

    @Test
    void groupsOfClosedStaticMembersCanBeDeletedOneSessionTimeoutAfterTheClose() throws Exception {
        List<String> groups = List.of("static-a", "static-b", "static-c");
        for (String group : groups) {
            try (KafkaConsumer<String, String> consumer = Clients.consumer(
                    cluster,
                    Map.of(
                            ConsumerConfig.GROUP_ID_CONFIG,
                            group,
                            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                            group + "-instance",
                            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                            SESSION_MS,
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                            true))) {
                consumer.subscribe(List.of(TOPIC));
                assertThat(Clients.pollUntil(consumer, 10, Duration.ofSeconds(30)))
                        .hasSize(10);
                assertThat(admin.describeConsumerGroups(List.of(group))
                                .all()
                                .get()
                                .get(group)
                                .groupState())
                        .isEqualTo(GroupState.STABLE);
            } // the close commits the offsets (restarting the session) and sends no LeaveGroup
        }
        long closedNanos = System.nanoTime();

        // the behaviour under test is a deadline: wait out the session of the last member closed
        TimeUnit.NANOSECONDS.sleep(closedNanos + TimeUnit.MILLISECONDS.toNanos(SESSION_MS) - System.nanoTime());

        admin.deleteConsumerGroups(groups).all().get();
        assertThat(admin.listGroups().all().get())
                .extracting(listing -> listing.groupId())
                .doesNotContainAnyElementsOf(groups);
    }
}
