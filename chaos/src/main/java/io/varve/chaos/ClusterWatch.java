package io.varve.chaos;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The campaign's view of the cluster, through its own links (never cut): who leads a partition, which
 * node hosts the controller, and whether every partition has a leader and its full ISR again. Every
 * question that the cluster cannot answer in time answers "unknown" (-1, false) rather than throwing.
 *
 * <p>Used from the campaign's thread only.
 */
final class ClusterWatch implements AutoCloseable {
    private static final int TIMEOUT_MS = 5_000;

    private final Admin admin;
    private final String topic;
    private final boolean kraft;

    /**
     * @param kraft the cluster is Apache Kafka's: its controller is the KRaft quorum's leader, which
     *     DescribeCluster does not name (a KRaft broker answers with a random live broker, KIP-919)
     */
    ClusterWatch(String bootstrap, String topic, boolean kraft) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "chaos-campaign");
        this.admin = Admin.create(p);
        this.topic = topic;
        this.kraft = kraft;
    }

    void createTopic(int partitions) throws Exception {
        NewTopic newTopic =
                new NewTopic(topic, partitions, (short) Topology.NODES).configs(Map.of("min.insync.replicas", "2"));
        long deadline = System.currentTimeMillis() + 180_000;
        while (true) {
            try {
                admin.createTopics(List.of(newTopic)).all().get(60, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(1_000);
            }
        }
    }

    /** The partitions of the topic as the cluster describes them now; empty when it cannot answer. */
    List<TopicPartitionInfo> partitions() {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(topic);
            return description.partitions();
        } catch (Exception e) {
            return List.of();
        }
    }

    /** The leader of {@code partition}, or -1. */
    int leader(int partition) {
        return partitions().stream()
                .filter(p -> p.partition() == partition)
                .map(TopicPartitionInfo::leader)
                .filter(n -> n != null && !n.isEmpty())
                .mapToInt(Node::id)
                .findFirst()
                .orElse(-1);
    }

    /** The node hosting the active controller (Kafka: the KRaft quorum's leader), or -1. */
    int controller() {
        try {
            if (kraft) {
                return admin.describeMetadataQuorum()
                        .quorumInfo()
                        .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .leaderId();
            }
            Node node = admin.describeCluster().controller().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return node == null || node.isEmpty() ? -1 : node.id();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Whether every partition has a leader and all {@link Topology#NODES} replicas in its ISR. */
    boolean fullyReplicated(int expectedPartitions) {
        List<TopicPartitionInfo> partitions = partitions();
        return partitions.size() == expectedPartitions
                && partitions.stream()
                        .allMatch(p -> p.leader() != null
                                && !p.leader().isEmpty()
                                && p.isr().size() == Topology.NODES);
    }

    /** Waits until every partition's end offset is above 0; false past {@code timeoutMs}. */
    boolean awaitRecords(int partitions, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        while (System.currentTimeMillis() < deadline) {
            try {
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                        admin.listOffsets(latest).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (ends.values().stream().allMatch(info -> info.offset() > 0)) {
                    return true;
                }
            } catch (Exception e) {
                // not yet
            }
            Thread.sleep(500);
        }
        return false;
    }

    /** One line describing leaders and ISRs, for the campaign log. */
    String describe() {
        StringBuilder s = new StringBuilder();
        for (TopicPartitionInfo p : partitions()) {
            s.append(p.partition())
                    .append(":L")
                    .append(p.leader() == null ? -1 : p.leader().id())
                    .append("/isr")
                    .append(p.isr().stream().map(n -> Integer.toString(n.id())).toList())
                    .append(' ');
        }
        return s.toString().trim();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
