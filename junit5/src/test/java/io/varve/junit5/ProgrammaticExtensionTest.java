package io.varve.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.connectors.stream.SinkSettings;
import io.varve.connectors.stream.SourceSettings;
import io.varve.connectors.stream.StartOffset;
import io.varve.connectors.stream.VarveConsumer;
import io.varve.connectors.stream.VarveProducer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The programmatic form: a node configured in code, reached through the extension field. */
class ProgrammaticExtensionTest {
    @RegisterExtension
    static final VarveExtension varve =
            VarveExtension.perClass().withTopic("streams", 2).withConfig("varve.log.segment-bytes", "1m");

    @Test
    void inProcessStreamsRunAgainstTheExtensionsNode() throws Exception {
        assertThat(varve.bootstrapServers()).startsWith("127.0.0.1:");
        Source.range(0, 9)
                .map(i -> new ProducerRecord<String, String>("streams", 1, "k", "v" + i))
                .runWith(
                        VarveProducer.sink(
                                varve.node(), SinkSettings.create(new StringSerializer(), new StringSerializer())),
                        varve.node().system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        List<ConsumerRecord<String, String>> read = VarveConsumer.partitionSource(
                        varve.node(),
                        SourceSettings.create(new StringDeserializer(), new StringDeserializer()),
                        new TopicPartition("streams", 1),
                        StartOffset.earliest())
                .take(10)
                .runWith(Sink.seq(), varve.node().system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(read).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }
}
