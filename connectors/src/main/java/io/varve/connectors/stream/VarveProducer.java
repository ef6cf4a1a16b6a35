package io.varve.connectors.stream;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.internal.AppendStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * In-process Pekko Streams sinks and flows that write to an embedded node's partitions with no
 * socket in between: records become Kafka v2 record batches (kafka-clients' builder) appended
 * through the same partition actors as the node's Kafka listener, so a Kafka consumer reads them
 * like any other and the log on disk is the same. The stages may run in the node's ActorSystem
 * ({@link EmbeddedVarve#system()}) or the application's own. docs/embedded.md.
 *
 * <p>Each fails with the Kafka exception a producer would see: {@code UnknownTopicOrPartitionException}
 * for a missing or deleted topic, {@code NotLeaderOrFollowerException} for a partition led
 * elsewhere, {@code ProducerFencedException} when a newer epoch of its producer id wrote, {@code
 * TimeoutException} when the partition does not answer within {@link SinkSettings#timeout()}.
 */
public final class VarveProducer {
    private VarveProducer() {}

    /**
     * Writes every record; the materialized stage completes once all are written with the
     * settings' acks, or fails with the first error.
     */
    public static <K, V> Sink<ProducerRecord<K, V>, CompletionStage<Done>> sink(
            EmbeddedVarve varve, SinkSettings<K, V> settings) {
        return Flow.<ProducerRecord<K, V>>create()
                .map(record -> ProducerMessage.<K, V, NotUsed>of(record, NotUsed.notUsed()))
                .via(flow(varve, settings))
                .toMat(Sink.ignore(), Keep.right());
    }

    /** Writes each message and emits its result (partition, offset, timestamp) in input order. */
    public static <K, V, P> Flow<ProducerMessage<K, V, P>, ProducerResult<K, V, P>, NotUsed> flow(
            EmbeddedVarve varve, SinkSettings<K, V> settings) {
        settings.validate();
        return Flow.fromGraph(new AppendStage<K, V, P>(varve.services().broker(), settings, (pass, error) -> {}));
    }

    /**
     * Writes each message and completes its pass-through future with the record's metadata, as
     * {@code KafkaProducer.send} does; when the stage fails, every future not yet completed fails
     * with the same exception.
     */
    public static <K, V>
            Sink<ProducerMessage<K, V, CompletableFuture<RecordMetadata>>, CompletionStage<Done>> acknowledgingSink(
                    EmbeddedVarve varve, SinkSettings<K, V> settings) {
        settings.validate();
        AppendStage<K, V, CompletableFuture<RecordMetadata>> stage = new AppendStage<>(
                varve.services().broker(), settings, (future, error) -> future.completeExceptionally(error));
        return Flow.fromGraph(stage)
                .map(result -> result.passThrough().complete(result.metadata()))
                .toMat(Sink.ignore(), Keep.right());
    }
}
