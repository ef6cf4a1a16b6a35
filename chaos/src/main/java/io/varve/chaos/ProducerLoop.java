package io.varve.chaos;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One idempotent {@code acks=all} producer of a workload: sends records at a steady rate, round-robin
 * over the topic's partitions, each carrying its {@link RecordId}, and writes every outcome to its
 * {@link AckLog}. At most {@code maxInFlight} records wait for an answer; while the cluster cannot
 * take them the loop waits rather than piling more up. A producer that a fatal error closed is
 * replaced (a new producer id) and the restart logged. It never resends a failed record, so any
 * duplicate in the log is the broker's.
 *
 * <p>Runs on its own thread until {@code stop} says so, then flushes and closes.
 */
final class ProducerLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ProducerLoop.class);

    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final char side;
    private final int index;
    private final double recordsPerSecond;
    private final AckLog acks;
    private final BooleanSupplier stop;
    private final Semaphore inFlight = new Semaphore(1000);

    ProducerLoop(
            String bootstrap,
            String topic,
            int partitions,
            char side,
            int index,
            double recordsPerSecond,
            AckLog acks,
            BooleanSupplier stop) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
        this.side = side;
        this.index = index;
        this.recordsPerSecond = recordsPerSecond;
        this.acks = acks;
        this.stop = stop;
    }

    static Properties config(String bootstrap, String clientId) {
        Properties p = new Properties();
        p.putAll(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG,
                clientId,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                5,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                120_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                30_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName()));
        return p;
    }

    @Override
    public void run() {
        String clientId = "chaos-" + side + index;
        KafkaProducer<String, String> producer = new KafkaProducer<>(config(bootstrap, clientId));
        long intervalNanos = (long) (1_000_000_000L / recordsPerSecond);
        long next = System.nanoTime();
        long seq = 0;
        try {
            while (!stop.getAsBoolean()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(wait, 200_000_000L));
                    continue;
                }
                next = Math.max(next + intervalNanos, System.nanoTime() - 1_000_000_000L);
                if (!inFlight.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                try {
                    send(producer, seq);
                    seq++;
                } catch (KafkaException e) {
                    inFlight.release();
                    log.warn("{}: send failed, recreating the producer: {}", clientId, e.toString());
                    acks.restarted(System.currentTimeMillis(), e);
                    producer.close(java.time.Duration.ofSeconds(5));
                    producer = new KafkaProducer<>(config(bootstrap, clientId));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close(java.time.Duration.ofSeconds(150));
            acks.flush();
        }
    }

    private void send(KafkaProducer<String, String> producer, long seq) {
        int partition = (int) (seq % partitions);
        String value = RecordId.value(side, index, seq);
        producer.send(new ProducerRecord<>(topic, partition, null, value), (metadata, error) -> {
            inFlight.release();
            long now = System.currentTimeMillis();
            if (error == null) {
                acks.acknowledged(now, partition, metadata.offset(), seq);
            } else {
                acks.failed(now, partition, seq, error);
            }
        });
    }
}
