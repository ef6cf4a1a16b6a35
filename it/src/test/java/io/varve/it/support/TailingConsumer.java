package io.varve.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer that reads assigned partitions from their beginning on its own thread while a test
 * does something else (kills a leader): it keeps every record it was given, per partition, in the
 * order it got them, so the test can compare what a consumer saw during a failover with the log
 * afterwards. Owned by the test; the consumer is used only on this object's thread.
 */
public final class TailingConsumer implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final Map<TopicPartition, List<ConsumerRecord<String, String>>> seen = new HashMap<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    public TailingConsumer(KafkaConsumer<String, String> consumer, Collection<TopicPartition> partitions) {
        this.consumer = consumer;
        partitions.forEach(tp -> seen.put(tp, new ArrayList<>()));
        this.thread = new Thread(() -> run(List.copyOf(partitions)), "tailing-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(List<TopicPartition> partitions) {
        try {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stop.get()) {
                var records = consumer.poll(Duration.ofMillis(200));
                synchronized (this) {
                    records.forEach(r -> seen.get(new TopicPartition(r.topic(), r.partition()))
                            .add(r));
                    for (TopicPartition tp : partitions) {
                        positions.put(tp, consumer.position(tp, Duration.ofSeconds(30)));
                    }
                }
            }
        } catch (Throwable e) {
            failure.set(e);
        } finally {
            consumer.close();
        }
    }

    /** The consumer's position in {@code tp}, -1 before it has one. */
    public synchronized long position(TopicPartition tp) {
        return positions.getOrDefault(tp, -1L);
    }

    /** What the consumer received from {@code tp} so far, in order. */
    public synchronized List<ConsumerRecord<String, String>> seen(TopicPartition tp) {
        return List.copyOf(seen.get(tp));
    }

    /** What stopped the consumer's thread early, if anything did. */
    public Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
