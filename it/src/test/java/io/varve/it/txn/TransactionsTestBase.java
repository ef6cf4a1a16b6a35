package io.varve.it.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;

/**
 * Kafka's transactional producer against Varve, for one transaction version (the subclasses start a
 * node finalizing {@code transaction.version} 1 or 2, so kafka-clients 4.4 uses KIP-98's or
 * KIP-890's protocol): commit and abort across partitions and topics, what read_committed and
 * read_uncommitted consumers see, the last stable offset, zombie fencing, the timeout abort, and the
 * Admin's transaction APIs.
 */
abstract class TransactionsTestBase {

    abstract VarveNodeExtension node();

    /** The producer epoch after a producer's first transaction: 2 bumps it per transaction. */
    abstract short epochAfterFirstTransaction();

    private void createTopics(String... topics) throws Exception {
        node().admin()
                .createTopics(java.util.Arrays.stream(topics)
                        .map(t -> new NewTopic(t, 2, (short) 1))
                        .toList())
                .all()
                .get();
    }

    private static List<TopicPartition> partitions(String... topics) {
        return java.util.Arrays.stream(topics)
                .flatMap(t -> java.util.stream.Stream.of(new TopicPartition(t, 0), new TopicPartition(t, 1)))
                .toList();
    }

    @Test
    void committedTransactionsAreReadAndAbortedOnesAreDroppedUnderReadCommitted() throws Exception {
        createTopics("orders", "payments");
        try (KafkaProducer<String, String> producer =
                TransactionalClients.producer(node().cluster(), "shop", Map.of())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("orders", 0, "k", "commit-o0"));
            producer.send(new ProducerRecord<>("orders", 1, "k", "commit-o1"));
            producer.send(new ProducerRecord<>("payments", 0, "k", "commit-p0"));
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>("orders", 0, "k", "abort-o0"));
            producer.send(new ProducerRecord<>("payments", 1, "k", "abort-p1"));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>("orders", 0, "k", "commit2-o0"));
            producer.send(new ProducerRecord<>("payments", 1, "k", "commit2-p1"));
            producer.commitTransaction();
        }

        List<TopicPartition> all = partitions("orders", "payments");
        try (KafkaConsumer<String, String> committed =
                TransactionalClients.consumer(node().cluster(), IsolationLevel.READ_COMMITTED)) {
            // each transaction's marker takes an offset: orders-0 holds commit-o0, marker, abort-o0, marker, ...
            assertThat(TransactionalClients.readAll(committed, all))
                    .containsExactlyInAnyOrder(
                            "orders-0:0:commit-o0",
                            "orders-0:4:commit2-o0",
                            "orders-1:0:commit-o1",
                            "payments-0:0:commit-p0",
                            "payments-1:2:commit2-p1");
        }
        try (KafkaConsumer<String, String> uncommitted =
                TransactionalClients.consumer(node().cluster(), IsolationLevel.READ_UNCOMMITTED)) {
            assertThat(TransactionalClients.readAll(uncommitted, all))
                    .containsExactlyInAnyOrder(
                            "orders-0:0:commit-o0",
                            "orders-0:2:abort-o0",
                            "orders-0:4:commit2-o0",
                            "orders-1:0:commit-o1",
                            "payments-0:0:commit-p0",
                            "payments-1:0:abort-p1",
                            "payments-1:2:commit2-p1");
        }
    }

    @Test
    void openTransactionHoldsTheLastStableOffsetForReadCommittedConsumers() throws Exception {
        createTopics("lso");
        TopicPartition tp = new TopicPartition("lso", 0);
        try (KafkaProducer<String, String> producer =
                        TransactionalClients.producer(node().cluster(), "lso-writer", Map.of());
                KafkaConsumer<String, String> committed =
                        TransactionalClients.consumer(node().cluster(), IsolationLevel.READ_COMMITTED);
                KafkaConsumer<String, String> uncommitted =
                        TransactionalClients.consumer(node().cluster(), IsolationLevel.READ_UNCOMMITTED)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("lso", 0, "k", "a")).get();
            producer.send(new ProducerRecord<>("lso", 0, "k", "b")).get();

            assertThat(committed.endOffsets(List.of(tp))).isEqualTo(Map.of(tp, 0L));
            assertThat(uncommitted.endOffsets(List.of(tp))).isEqualTo(Map.of(tp, 2L));

            producer.commitTransaction();
            assertThat(Conditions.awaitTrue(
                            Duration.ofSeconds(10),
                            () -> committed.endOffsets(List.of(tp)).get(tp) == 3L))
                    .isTrue();
            assertThat(TransactionalClients.readAll(committed, List.of(tp))).containsExactly("lso-0:0:a", "lso-0:1:b");
        }
    }

    @Test
    void aNewProducerInstanceFencesTheOldOneAndAbortsItsTransaction() throws Exception {
        createTopics("fenced");
        try (KafkaProducer<String, String> zombie =
                TransactionalClients.producer(node().cluster(), "app-1", Map.of())) {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("fenced", 0, "k", "zombie")).get();

            try (KafkaProducer<String, String> successor =
                    TransactionalClients.producer(node().cluster(), "app-1", Map.of())) {
                successor.initTransactions();
                successor.beginTransaction();
                successor.send(new ProducerRecord<>("fenced", 0, "k", "successor"));
                successor.commitTransaction();
            }
            assertThatThrownBy(zombie::commitTransaction).isInstanceOf(ProducerFencedException.class);
        }
        try (KafkaConsumer<String, String> committed =
                TransactionalClients.consumer(node().cluster(), IsolationLevel.READ_COMMITTED)) {
            assertThat(TransactionalClients.readAll(committed, List.of(new TopicPartition("fenced", 0))))
                    .extracting(value -> value.substring(value.lastIndexOf(':') + 1))
                    .containsExactly("successor");
        }
    }

    @Test
    void aTransactionLeftOpenPastItsTimeoutIsAborted() throws Exception {
        createTopics("slow");
        TopicPartition tp = new TopicPartition("slow", 0);
        try (KafkaProducer<String, String> producer = TransactionalClients.producer(
                        node().cluster(), "slow-writer", Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 2_000));
                KafkaConsumer<String, String> committed =
                        TransactionalClients.consumer(node().cluster(), IsolationLevel.READ_COMMITTED)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("slow", 0, "k", "never")).get();

            assertThat(Conditions.awaitTrue(
                            Duration.ofSeconds(30),
                            () -> describe("slow-writer").state() == TransactionState.COMPLETE_ABORT))
                    .isTrue();
            assertThat(committed.endOffsets(List.of(tp))).isEqualTo(Map.of(tp, 2L));
            assertThat(TransactionalClients.readAll(committed, List.of(tp))).isEmpty();
            assertThatThrownBy(producer::commitTransaction).isInstanceOf(KafkaException.class);
        }
    }

    @Test
    void adminDescribesAndListsTransactionsAndTheirProducers() throws Exception {
        createTopics("described");
        try (KafkaProducer<String, String> producer =
                TransactionalClients.producer(node().cluster(), "describe-me", Map.of())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("described", 1, "k", "v")).get();

            TransactionDescription open = describe("describe-me");
            assertThat(open.state()).isEqualTo(TransactionState.ONGOING);
            assertThat(open.topicPartitions()).containsExactly(new TopicPartition("described", 1));
            assertThat(open.transactionTimeoutMs()).isEqualTo(60_000);
            assertThat(open.transactionStartTimeMs()).isPresent();
            Collection<TransactionListing> listed =
                    node().admin().listTransactions().all().get();
            assertThat(listed).anySatisfy(listing -> {
                assertThat(listing.transactionalId()).isEqualTo("describe-me");
                assertThat(listing.producerId()).isEqualTo(open.producerId());
                assertThat(listing.state()).isEqualTo(TransactionState.ONGOING);
            });
            List<ProducerState> producers = node().admin()
                    .describeProducers(List.of(new TopicPartition("described", 1)))
                    .partitionResult(new TopicPartition("described", 1))
                    .get()
                    .activeProducers();
            assertThat(producers).singleElement().satisfies(state -> {
                assertThat(state.producerId()).isEqualTo(open.producerId());
                assertThat(state.currentTransactionStartOffset()).hasValue(0L);
            });

            producer.commitTransaction();
            assertThat(Conditions.awaitTrue(
                            Duration.ofSeconds(10),
                            () -> describe("describe-me").state() == TransactionState.COMPLETE_COMMIT))
                    .isTrue();
        }
        ExecutionException unknown =
                org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> node().admin()
                        .describeTransactions(Set.of("nobody"))
                        .all()
                        .get());
        assertThat(unknown.getCause())
                .isInstanceOf(org.apache.kafka.common.errors.TransactionalIdNotFoundException.class);
    }

    TransactionDescription describe(String transactionalId) throws Exception {
        return node().admin()
                .describeTransactions(Set.of(transactionalId))
                .description(transactionalId)
                .get();
    }
}
