package io.varve.it.support;

import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Consumer polling that expects a failure, such as Kafka's OffsetOutOfRangeException. */
public final class Polls {
    private static final Duration POLL = Duration.ofMillis(200);

    private Polls() {}

    /**
     * Polls until {@code poll} throws {@code expected} and returns it. Fails if records arrive first or
     * nothing is thrown before {@code deadline}; any other exception propagates.
     */
    public static <E extends RuntimeException> E pollUntilThrown(
            KafkaConsumer<String, String> consumer, Class<E> expected, Duration deadline) {
        Instant end = Instant.now().plus(deadline);
        while (Instant.now().isBefore(end)) {
            ConsumerRecords<String, String> records;
            try {
                records = consumer.poll(POLL);
            } catch (RuntimeException e) {
                if (expected.isInstance(e)) {
                    return expected.cast(e);
                }
                throw e;
            }
            if (!records.isEmpty()) {
                throw new AssertionError("expected " + expected.getSimpleName() + " but got " + records.count()
                        + " record(s), the first at offset "
                        + records.iterator().next().offset());
            }
        }
        throw new AssertionError("no " + expected.getSimpleName() + " within " + deadline);
    }
}
