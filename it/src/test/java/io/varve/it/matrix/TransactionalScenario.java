package io.varve.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.ChildJvm;
import io.varve.it.support.Clients;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.VarveNodeExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The matrix's transactional scenario for clients with a transactional producer (librdkafka through
 * confluent-kafka-python, kafkajs): the client commits a transaction of {@link #COUNT} records with
 * its group's offset 3, aborts one of {@link #COUNT} records with offset 6, commits one more record,
 * then reads partition 0 read_committed. It must read exactly the committed records at their
 * offsets (each marker takes one); kafka-clients 4.4 read_uncommitted reads every record, the group's
 * committed offset is the committed transaction's (3), and the log holds the three markers as
 * control batches where the offsets say.
 */
final class TransactionalScenario {
    static final int COUNT = 10;

    private TransactionalScenario() {}

    static void run(VarveNodeExtension node, ScriptProbe probe) throws Exception {
        String input = "txn-input";
        String output = "txn-output";
        String group = "txn-group";
        node.admin()
                .createTopics(List.of(new NewTopic(input, 1, (short) 1), new NewTopic(output, 1, (short) 1)))
                .all()
                .get();

        ProbeRun.Result result = probe.transactions(
                node.cluster().bootstrapServers(), input, output, group, "txn-" + probe.name(), COUNT);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> expected = new ArrayList<>(List.of("committed " + COUNT, "aborted " + COUNT, "committed 1"));
        // committed-<i> at 0..COUNT-1, its marker at COUNT; aborted-<i> and its marker after it
        IntStream.range(0, COUNT).forEach(i -> expected.add("record 0 " + i + " k" + i + " committed-" + i + " -"));
        long last = 2L * COUNT + 2;
        expected.add("record 0 " + last + " k0 committed-last -");
        assertThat(result.lines()).as(result.toString()).containsExactlyElementsOf(expected);

        List<String> everything = new ArrayList<>();
        IntStream.range(0, COUNT).forEach(i -> everything.add("committed-" + i));
        IntStream.range(0, COUNT).forEach(i -> everything.add("aborted-" + i));
        everything.add("committed-last");
        assertThat(readUncommitted(node, output, everything.size()))
                .as("read_uncommitted by kafka-clients 4.4")
                .containsExactlyElementsOf(everything);

        Map<TopicPartition, OffsetAndMetadata> offsets = node.admin()
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        assertThat(offsets.get(new TopicPartition(input, 0)).offset()).isEqualTo(3);

        List<SegmentBatches.Batch> batches = SegmentBatches.of(node.cluster().dataDir(), output, 0);
        assertThat(batches)
                .allSatisfy(batch -> assertThat(batch.transactional()).isTrue());
        assertThat(batches.stream().filter(SegmentBatches.Batch::control).map(SegmentBatches.Batch::baseOffset))
                .containsExactly((long) COUNT, 2L * COUNT + 1, last + 1);
        dumpedByKafka(node.cluster().dataDir().resolve(output + "-0"));
    }

    /**
     * Kafka's {@code kafka-dump-log} reads the markers (two commits, one abort) and the aborted
     * transaction in the segment's {@code .txnindex} (its data at offsets COUNT + 1 .. 2 * COUNT, the
     * marker at 2 * COUNT + 1).
     */
    private static void dumpedByKafka(Path dir) throws Exception {
        String segment = dir.resolve("00000000000000000000.log").toString();
        String txnIndex = dir.resolve("00000000000000000000.txnindex").toString();
        ChildJvm.Result dump =
                KafkaTools.run(KafkaTools.DUMP_LOG, "--deep-iteration", "--files", segment + "," + txnIndex);
        assertThat(dump.exitCode()).as(dump.toString()).isZero();
        assertThat(dump.stdout().split("endTxnMarker: COMMIT", -1))
                .as(dump.stdout())
                .hasSize(3);
        assertThat(dump.stdout().split("endTxnMarker: ABORT", -1))
                .as(dump.stdout())
                .hasSize(2);
        assertThat(dump.stdout())
                .contains("firstOffset: " + (COUNT + 1) + " lastOffset: " + (2 * COUNT + 1))
                .doesNotContain("isvalid: false");
    }

    private static List<String> readUncommitted(VarveNodeExtension node, String topic, int count) {
        Map<String, Object> settings = Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), settings)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seek(tp, 0);
            return Clients.pollUntil(consumer, count, Duration.ofSeconds(30)).stream()
                    .map(ConsumerRecord::value)
                    .toList();
        }
    }
}
