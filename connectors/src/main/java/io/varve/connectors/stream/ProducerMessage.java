package io.varve.connectors.stream;

import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A record for {@link VarveProducer#flow} with a value passed through to its {@link ProducerResult}
 * (an offset to commit, a request to answer).
 *
 * @param record what to write; its topic and optional partition say where
 * @param passThrough handed back with the result untouched; may be null
 */
public record ProducerMessage<K, V, P>(ProducerRecord<K, V> record, P passThrough) {
    public ProducerMessage {
        Objects.requireNonNull(record, "record");
    }

    public static <K, V, P> ProducerMessage<K, V, P> of(ProducerRecord<K, V> record, P passThrough) {
        return new ProducerMessage<>(record, passThrough);
    }
}
