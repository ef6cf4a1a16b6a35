package io.varve.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Failover probe for {@code bench/run.sh --cluster}: on a three-node cluster (Varve or Kafka) it
 * creates a topic of one partition, replication factor 3 and {@code min.insync.replicas=2}, led by a
 * node that is not the controller's (so both systems fail over a data leader, not their control
 * plane), produces with {@code acks=all} until the ISR is full, then {@code kill -9}s the leader's
 * process and sends the next record. It prints {@code failover-ms=N}: the time from the kill to the
 * acknowledgement of that record, which the client retries (with its default backoffs) until a new
 * leader accepts it.
 *
 * <p>The controller's node is Kafka's active KRaft controller (DescribeQuorum), or, where that is
 * not answered (Varve, whose controller is a Pekko singleton), the controller DescribeCluster names.
 *
 * <p>Usage: {@code FailoverProbe BOOTSTRAP TOPIC 1=PID,2=PID,3=PID}. Exits 1 with {@code
 * failover-ms=failed} when no record was acknowledged within two minutes.
 */
public final class FailoverProbe {
    private FailoverProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: FailoverProbe BOOTSTRAP TOPIC 1=PID,2=PID,3=PID");
            System.exit(64);
        }
        String topic = args[1];
        Map<Integer, Long> pids = new HashMap<>();
        for (String pair : args[2].split(",")) {
            String[] kv = pair.split("=");
            pids.put(Integer.parseInt(kv[0]), Long.parseLong(kv[1]));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]))) {
            int controller = controller(admin);
            int leader = pids.keySet().stream()
                    .filter(n -> n != controller)
                    .max(Integer::compare)
                    .orElseThrow();
            List<Integer> replicas = new java.util.ArrayList<>(List.of(leader));
            pids.keySet().stream().filter(n -> n != leader).sorted().forEach(replicas::add);
            System.out.println("controller " + controller + ", leader " + leader + ", replicas " + replicas);
            admin.createTopics(List.of(
                            new NewTopic(topic, Map.of(0, replicas)).configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get(60, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings(args[0]))) {
                awaitFullIsr(admin, topic, producer);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, null, new byte[100]);
                ProcessHandle process = ProcessHandle.of(pids.get(leader))
                        .orElseThrow(() -> new IllegalStateException("no process " + pids.get(leader)));
                long killedAt = System.nanoTime();
                process.destroyForcibly();
                try {
                    producer.send(record).get(120, TimeUnit.SECONDS);
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                    System.out.println("killed leader " + leader + " (pid " + pids.get(leader) + ")");
                    System.out.println("failover-ms=" + ms);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    System.out.println("failover-ms=failed " + e);
                    System.exit(1);
                }
            }
        }
    }

    private static int controller(Admin admin) throws Exception {
        try {
            return admin.describeMetadataQuorum()
                    .quorumInfo()
                    .get(30, TimeUnit.SECONDS)
                    .leaderId();
        } catch (ExecutionException unsupported) {
            return admin.describeCluster()
                    .controller()
                    .get(30, TimeUnit.SECONDS)
                    .id();
        }
    }

    /** Produces until the partition's ISR holds all three replicas and the leader is the chosen one. */
    private static void awaitFullIsr(Admin admin, String topic, KafkaProducer<byte[], byte[]> producer)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            producer.send(new ProducerRecord<>(topic, 0, null, new byte[100])).get(30, TimeUnit.SECONDS);
            TopicDescription description =
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Optional<TopicPartitionInfo> partition =
                    description.partitions().stream().findFirst();
            if (partition.isPresent() && partition.get().isr().size() == 3) {
                return;
            }
            Thread.sleep(200); // the probe's poll interval: the ISR is read again, not assumed
        }
        throw new IllegalStateException("the ISR of " + topic + " did not fill within 60 s");
    }

    private static Properties settings(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }
}
