package io.varve.connectors.sample;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.embedded.Varve;
import io.varve.connectors.stream.CommitSettings;
import io.varve.connectors.stream.CommittableRecord;
import io.varve.connectors.stream.OffsetReset;
import io.varve.connectors.stream.ProducerMessage;
import io.varve.connectors.stream.ProducerResult;
import io.varve.connectors.stream.SinkSettings;
import io.varve.connectors.stream.SourceSettings;
import io.varve.connectors.stream.VarveCommitter;
import io.varve.connectors.stream.VarveConsumer;
import io.varve.connectors.stream.VarveProducer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * In-process streams: a flow writes records and reports their offsets, a committable source reads
 * them for a consumer group, and a committer commits what was handled. No socket is involved.
 */
public final class StreamsSample {
    public static void main(String[] args) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "application");
        try (EmbeddedVarve varve = Varve.builder().topic("payments", 2).start()) {
            SinkSettings<String, String> sink = SinkSettings.create(new StringSerializer(), new StringSerializer());
            List<ProducerResult<String, String, Integer>> written = Source.range(1, 100)
                    .map(i -> ProducerMessage.of(new ProducerRecord<>("payments", "card-" + i % 7, "EUR " + i), i))
                    .via(VarveProducer.<String, String, Integer>flow(varve, sink))
                    .runWith(Sink.seq(), system)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            written.forEach(r ->
                    System.out.println(r.passThrough() + " -> partition " + r.partition() + ", offset " + r.offset()));

            SourceSettings<String, String> source = SourceSettings.create(
                            new StringDeserializer(), new StringDeserializer())
                    .withGroupId("ledger")
                    .withAutoOffsetReset(OffsetReset.EARLIEST);
            VarveConsumer.committableSource(varve, source, "payments")
                    .take(100)
                    .map(CommittableRecord::committableOffset) // handle record() here, then commit
                    .runWith(VarveCommitter.sink(varve, CommitSettings.defaults()), system)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } finally {
            system.terminate();
        }
    }
}
