package io.varve.connectors.stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A record from {@link VarveConsumer#committableSource} and the offset to commit once it is handled. */
public record CommittableRecord<K, V>(ConsumerRecord<K, V> record, CommittableOffset committableOffset) {}
