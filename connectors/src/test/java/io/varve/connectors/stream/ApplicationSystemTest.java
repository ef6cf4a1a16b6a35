package io.varve.connectors.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.support.TestNode;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;

/**
 * The stages run in the application's own ActorSystem (a plain local one) as well as the node's,
 * and a node closed under a waiting source fails it instead of leaving it hanging.
 */
class ApplicationSystemTest {

    @Test
    void stagesRunInTheApplicationsSystemAndFailWhenTheNodeCloses() throws Exception {
        ActorSystem<Void> application = ActorSystem.create(Behaviors.empty(), "application");
        EmbeddedVarve node = TestNode.builder().topic("app", 1).start();
        try {
            Source.range(0, 9)
                    .map(i -> new ProducerRecord<String, String>("app", "v" + i))
                    .runWith(
                            VarveProducer.sink(
                                    node, SinkSettings.create(new StringSerializer(), new StringSerializer())),
                            application)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            SourceSettings<String, String> settings =
                    SourceSettings.create(new StringDeserializer(), new StringDeserializer());
            TopicPartition tp = new TopicPartition("app", 0);
            List<ConsumerRecord<String, String>> read = VarveConsumer.partitionSource(
                            node, settings, tp, StartOffset.earliest())
                    .take(10)
                    .runWith(Sink.seq(), application)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            assertThat(read)
                    .extracting(ConsumerRecord::value)
                    .containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");

            var waiting = VarveConsumer.partitionSource(node, settings, tp, StartOffset.at(10))
                    .runWith(Sink.seq(), application)
                    .toCompletableFuture();
            TestNode.close(node);
            assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(KafkaException.class)
                    .hasMessageContaining("while reading app-0");
        } finally {
            TestNode.close(node);
            application.terminate();
            application.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
