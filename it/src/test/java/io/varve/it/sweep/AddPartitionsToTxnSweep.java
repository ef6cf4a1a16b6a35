package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * AddPartitionsToTxn. v0–3 as a transactional producer sends it (transaction version 1): the
 * partitions join the transaction, its writes are committed; a partition of an unknown topic is
 * UNKNOWN_TOPIC_OR_PARTITION and the others of the request OPERATION_NOT_ATTEMPTED; a fenced epoch is
 * PRODUCER_FENCED from v2 and INVALID_PRODUCER_EPOCH before (KIP-588). v4+ as a partition leader sends
 * it, several transactions in one request: an add (KIP-890 part 2), a {@code verifyOnly} check
 * (NONE for a partition in the transaction, TRANSACTION_ABORTABLE for one that is not), and an unknown
 * transactional id (INVALID_PRODUCER_ID_MAPPING).
 */
final class AddPartitionsToTxnSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("add-partitions", version);
        Uuid topicId = sweep.createTopic(topic, 2);
        if (version >= 4) {
            batched(sweep, version, topic, topicId);
            return;
        }
        TopicPartition tp0 = new TopicPartition(topic, 0);
        TopicPartition tp1 = new TopicPartition(topic, 1);
        Txns.Producer producer = Txns.init(sweep, topic + "-txn");
        assertThat(Txns.addPartitions(sweep, version, producer, topic, 0, 1))
                .isEqualTo(Map.of(tp0, Errors.NONE, tp1, Errors.NONE));
        Txns.produced(sweep, Txns.TV1_PRODUCE, producer, topic, topicId, 0, 0, "a", "b");
        Txns.produced(sweep, Txns.TV1_PRODUCE, producer, topic, topicId, 1, 0, "c");
        assertThat(Txns.endTxn(sweep, Txns.TV1_END_TXN, producer, true).error()).isEqualTo(Errors.NONE);
        assertThat(Txns.committedValues(sweep, topic, 0)).containsExactly("a", "b");
        assertThat(Txns.committedValues(sweep, topic, 1)).containsExactly("c");

        TopicPartition unknown = new TopicPartition(topic + "-unknown", 0);
        assertThat(Txns.addPartitions(sweep, version, producer, List.of(unknown, tp0)))
                .isEqualTo(Map.of(unknown, Errors.UNKNOWN_TOPIC_OR_PARTITION, tp0, Errors.OPERATION_NOT_ATTEMPTED));

        Txns.Producer successor = Txns.init(sweep, producer.transactionalId());
        assertThat(successor.producerId()).isEqualTo(producer.producerId());
        assertThat(successor.epoch()).isEqualTo((short) (producer.epoch() + 1));
        assertThat(Txns.addPartitions(sweep, version, producer, topic, 0))
                .isEqualTo(Map.of(tp0, version < 2 ? Errors.INVALID_PRODUCER_EPOCH : Errors.PRODUCER_FENCED));
    }

    /** v4+: what a partition leader sends for the transactions of its Produce requests. */
    private static void batched(SweepContext sweep, short version, String topic, Uuid topicId) throws Exception {
        TopicPartition tp0 = new TopicPartition(topic, 0);
        TopicPartition tp1 = new TopicPartition(topic, 1);
        Txns.Producer producer = Txns.init(sweep, topic + "-txn");
        String unknownId = topic + "-unknown-txn";
        Map<String, Map<TopicPartition, Errors>> added = send(
                sweep,
                version,
                transaction(producer, false, List.of(tp0)),
                new AddPartitionsToTxnTransaction()
                        .setTransactionalId(unknownId)
                        .setProducerId(producer.producerId() + 1_000)
                        .setProducerEpoch((short) 0)
                        .setVerifyOnly(false)
                        .setTopics(Txns.topics(List.of(tp1))));
        assertThat(added)
                .isEqualTo(Map.of(
                        producer.transactionalId(),
                        Map.of(tp0, Errors.NONE),
                        unknownId,
                        Map.of(tp1, Errors.INVALID_PRODUCER_ID_MAPPING)));

        Map<String, Map<TopicPartition, Errors>> verified =
                send(sweep, version, transaction(producer, true, List.of(tp0, tp1)));
        assertThat(verified)
                .isEqualTo(Map.of(
                        producer.transactionalId(), Map.of(tp0, Errors.NONE, tp1, Errors.TRANSACTION_ABORTABLE)));

        // a transaction version 2 write and commit end what the leader's add began
        Txns.produced(sweep, ApiKeys.PRODUCE.latestVersion(), producer, topic, topicId, 0, 0, "x");
        assertThat(Txns.endTxn(sweep, (short) 5, producer, true).error()).isEqualTo(Errors.NONE);
        assertThat(Txns.committedValues(sweep, topic, 0)).containsExactly("x");
    }

    private static AddPartitionsToTxnTransaction transaction(
            Txns.Producer producer, boolean verifyOnly, List<TopicPartition> partitions) {
        return new AddPartitionsToTxnTransaction()
                .setTransactionalId(producer.transactionalId())
                .setProducerId(producer.producerId())
                .setProducerEpoch(producer.epoch())
                .setVerifyOnly(verifyOnly)
                .setTopics(Txns.topics(partitions));
    }

    private static Map<String, Map<TopicPartition, Errors>> send(
            SweepContext sweep, short version, AddPartitionsToTxnTransaction... transactions) throws Exception {
        AddPartitionsToTxnTransactionCollection collection = new AddPartitionsToTxnTransactionCollection();
        for (AddPartitionsToTxnTransaction transaction : transactions) {
            collection.add(transaction);
        }
        AddPartitionsToTxnResponse answer = sweep.client()
                .send(
                        ApiKeys.ADD_PARTITIONS_TO_TXN,
                        version,
                        new AddPartitionsToTxnRequestData().setTransactions(collection));
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        return answer.errors();
    }
}
