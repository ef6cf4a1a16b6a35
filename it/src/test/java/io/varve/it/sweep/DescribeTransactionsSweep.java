package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;

/**
 * DescribeTransactions v0: an open transaction (Ongoing, its producer, timeout, start time and
 * partitions), the same id once the transaction is aborted and the producer initialised again
 * (Empty, the next epoch, no partitions, no start time), and TRANSACTIONAL_ID_NOT_FOUND for an id no
 * producer used, each answered in the order asked.
 */
final class DescribeTransactionsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("describe-transactions", version);
        Uuid topicId = sweep.createTopic(topic, 2);
        String unknown = topic + "-unknown-txn";
        long before = System.currentTimeMillis();
        Txns.Producer producer = Txns.init(sweep, topic + "-txn");
        assertThat(Txns.addPartitions(sweep, (short) 3, producer, topic, 0, 1).values())
                .containsOnly(Errors.NONE);
        Txns.produced(sweep, Txns.TV1_PRODUCE, producer, topic, topicId, 0, 0, "open");

        List<TransactionState> open = describe(sweep, version, producer.transactionalId(), unknown);
        assertThat(open)
                .extracting(TransactionState::transactionalId)
                .containsExactly(producer.transactionalId(), unknown);
        TransactionState ongoing = open.get(0);
        assertThat(Errors.forCode(ongoing.errorCode())).isEqualTo(Errors.NONE);
        assertThat(ongoing.transactionState()).isEqualTo("Ongoing");
        assertThat(ongoing.producerId()).isEqualTo(producer.producerId());
        assertThat(ongoing.producerEpoch()).isEqualTo(producer.epoch());
        assertThat(ongoing.transactionTimeoutMs()).isEqualTo(Txns.TIMEOUT_MS);
        assertThat(ongoing.transactionStartTimeMs()).isBetween(before, System.currentTimeMillis());
        assertThat(ongoing.topics()).hasSize(1);
        TopicData partitions = ongoing.topics().iterator().next();
        assertThat(partitions.topic()).isEqualTo(topic);
        assertThat(partitions.partitions()).containsExactlyInAnyOrder(0, 1);
        assertThat(Errors.forCode(open.get(1).errorCode())).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);

        assertThat(Txns.endTxn(sweep, Txns.TV1_END_TXN, producer, false).error())
                .isEqualTo(Errors.NONE);
        Txns.Producer successor = Txns.init(sweep, producer.transactionalId());
        TransactionState empty =
                describe(sweep, version, producer.transactionalId()).get(0);
        assertThat(Errors.forCode(empty.errorCode())).isEqualTo(Errors.NONE);
        assertThat(empty.transactionState()).isEqualTo("Empty");
        assertThat(empty.producerId()).isEqualTo(successor.producerId());
        assertThat(empty.producerEpoch()).isEqualTo(successor.epoch());
        assertThat(empty.topics()).isEmpty();
        assertThat(empty.transactionStartTimeMs()).isEqualTo(-1L);
    }

    private static List<TransactionState> describe(SweepContext sweep, short version, String... ids) throws Exception {
        DescribeTransactionsResponse answer = sweep.client()
                .send(
                        ApiKeys.DESCRIBE_TRANSACTIONS,
                        version,
                        new DescribeTransactionsRequestData().setTransactionalIds(List.of(ids)));
        return answer.data().transactionStates();
    }
}
