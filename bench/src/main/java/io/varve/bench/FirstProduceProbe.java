package io.varve.bench;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Startup probe for {@code bench/run.sh}: started alongside a broker, it keeps trying to produce one
 * record (acks=1, the topic auto-created by the broker) until the broker acknowledges it, then
 * prints {@code first-produce-ms=N}, the time from the broker's launch (an epoch-millisecond
 * timestamp taken by the script just before it started the broker JVM) to that acknowledgement.
 *
 * <p>The client's reconnect and retry backoffs are cut to tens of milliseconds so the probe's own
 * polling adds little to the figure. Exits 1 with {@code first-produce-ms=timeout} when no produce
 * succeeded before the deadline.
 *
 * <p>Usage: {@code FirstProduceProbe BOOTSTRAP TOPIC LAUNCH_EPOCH_MS DEADLINE_SECONDS}.
 */
public final class FirstProduceProbe {
    private FirstProduceProbe() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: FirstProduceProbe BOOTSTRAP TOPIC LAUNCH_EPOCH_MS DEADLINE_SECONDS");
            System.exit(64);
        }
        long launchedAt = Long.parseLong(args[2]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings(args[0]))) {
            ProducerRecord<byte[], byte[]> probe = new ProducerRecord<>(args[1], new byte[] {1});
            while (System.nanoTime() < deadline) {
                try {
                    producer.send(probe).get(5, TimeUnit.SECONDS);
                    System.out.println("first-produce-ms=" + (System.currentTimeMillis() - launchedAt));
                    return;
                } catch (ExecutionException | TimeoutException notYet) {
                    // the broker is not up yet, or the topic has no leader yet: try again
                } catch (org.apache.kafka.common.KafkaException notYet) {
                    // metadata not available within max.block.ms: try again
                }
            }
            producer.close(Duration.ZERO);
        }
        System.out.println("first-produce-ms=timeout");
        System.exit(1);
    }

    private static Properties settings(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "20");
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "50");
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "20");
        props.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "50");
        props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, "100");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "4000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }
}
