package io.varve.it.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.ChildJvm;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache Kafka's {@code kafka-transactions.sh} (TransactionsCommand 4.3.1, in a child JVM) against
 * Varve: {@code list} and {@code describe} show an open transaction, {@code describe-producers}
 * its first offset, and {@code abort} ends a hanging transaction with an abort marker written
 * through WriteTxnMarkers, which releases the last stable offset for read_committed consumers.
 */
class TransactionsCommandIT {
    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension();

    private ChildJvm.Result transactions(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = node.cluster().bootstrapServers();
        System.arraycopy(args, 0, all, 2, args.length);
        ChildJvm.Result result = KafkaTools.run(KafkaTools.TRANSACTIONS, all);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    /** The table row that starts with {@code first}, split on whitespace. */
    private static List<String> row(ChildJvm.Result result, String first) {
        return Arrays.stream(result.stdout().split("\n"))
                .map(String::trim)
                .filter(line -> line.startsWith(first + " ") || line.startsWith(first + "\t"))
                .map(line -> List.of(line.split("\\s+")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + first + " in\n" + result));
    }

    @Test
    void listsDescribesAndAbortsAHangingTransaction() throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic("hanging", 1, (short) 1)))
                .all()
                .get();
        TopicPartition tp = new TopicPartition("hanging", 0);
        try (KafkaProducer<String, String> producer = TransactionalClients.producer(
                node.cluster(), "stuck-app", Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 600_000))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("hanging", 0, "k", "in-limbo")).get();

            List<String> listed = row(transactions("list"), "stuck-app");
            assertThat(listed.get(1)).isEqualTo("1"); // the coordinator's node
            assertThat(listed.get(3)).isEqualTo("Ongoing");
            String producerId = listed.get(2);

            List<String> described = row(transactions("describe", "--transactional-id", "stuck-app"), "1");
            assertThat(described.subList(1, 5)).containsExactly("stuck-app", producerId, "0", "Ongoing");
            assertThat(described.get(5)).isEqualTo("600000");
            assertThat(described.get(8)).isEqualTo("hanging-0");

            List<String> producers =
                    row(transactions("describe-producers", "--topic", "hanging", "--partition", "0"), producerId);
            assertThat(producers.get(producers.size() - 1)).isEqualTo("0"); // CurrentTransactionStartOffset

            transactions("abort", "--topic", "hanging", "--partition", "0", "--start-offset", "0");

            try (KafkaConsumer<String, String> committed =
                    TransactionalClients.consumer(node.cluster(), IsolationLevel.READ_COMMITTED)) {
                assertThat(Conditions.awaitTrue(
                                Duration.ofSeconds(10),
                                () -> committed.endOffsets(List.of(tp)).get(tp) == 2L))
                        .isTrue();
                assertThat(TransactionalClients.readAll(committed, List.of(tp))).isEmpty();
            }
            List<String> after =
                    row(transactions("describe-producers", "--topic", "hanging", "--partition", "0"), producerId);
            assertThat(after.get(after.size() - 1)).isEqualTo("None");
        }
    }
}
