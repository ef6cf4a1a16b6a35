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
import io.varve.connectors.stream.StartOffset;
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
 * them for a consumer group, a committer commits what was handled, and a record source reads them
 * again without deserializing what it filters out. No socket is involved.
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

            // the source's own records: key and value stay bytes until asked for, headers too
            StringDeserializer strings = new StringDeserializer();
            long large = VarveConsumer.topicRecords(varve, source, "payments", StartOffset.earliest())
                    .take(100)
                    .filter(record -> record.serializedValueSize() > "EUR 9".length())
                    .map(record -> record.value(strings))
                    .runWith(Sink.fold(0L, (count, value) -> count + 1), system)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            System.out.println(large + " payments of EUR 10 or more");
        } finally {
            system.terminate();
        }
    }
}
