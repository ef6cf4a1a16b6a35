package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListTransactionsResponse;

/**
 * ListTransactions: an open transaction is listed (id, producer id, Ongoing) under its state and
 * producer id filters and left out under another state; an unknown state filter is echoed back; v1
 * filters by how long a transaction has run, v2 by a regular expression on the transactional id.
 */
final class ListTransactionsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("list-transactions", version);
        Uuid topicId = sweep.createTopic(topic, 1);
        Txns.Producer producer = Txns.init(sweep, topic + "-txn");
        assertThat(Txns.addPartitions(sweep, (short) 3, producer, topic, 0).values())
                .containsOnly(Errors.NONE);
        Txns.produced(sweep, Txns.TV1_PRODUCE, producer, topic, topicId, 0, 0, "open");
        String listed = producer.transactionalId() + " " + producer.producerId() + " Ongoing";

        ListTransactionsResponse ongoing =
                list(sweep, version, request(producer).setStateFilters(List.of("Ongoing")));
        assertThat(lines(ongoing)).containsExactly(listed);
        assertThat(lines(list(sweep, version, request(producer).setStateFilters(List.of("CompleteCommit")))))
                .isEmpty();
        ListTransactionsResponse unknownState =
                list(sweep, version, request(producer).setStateFilters(List.of("Ongoing", "Sleeping")));
        assertThat(unknownState.data().unknownStateFilters()).containsExactly("Sleeping");
        assertThat(lines(unknownState)).containsExactly(listed);
        if (version >= 1) {
            assertThat(lines(list(sweep, version, request(producer).setDurationFilter(3_600_000L))))
                    .isEmpty();
            assertThat(lines(list(sweep, version, request(producer).setDurationFilter(0L))))
                    .containsExactly(listed);
        }
        if (version >= 2) {
            ListTransactionsRequestData byPattern =
                    new ListTransactionsRequestData().setTransactionalIdPattern("sweep-list-transactions-v2.*-txn");
            assertThat(lines(list(sweep, version, byPattern))).containsExactly(listed);
        }
        assertThat(Txns.endTxn(sweep, Txns.TV1_END_TXN, producer, false).error())
                .isEqualTo(Errors.NONE);
    }

    private static ListTransactionsRequestData request(Txns.Producer producer) {
        return new ListTransactionsRequestData().setProducerIdFilters(List.of(producer.producerId()));
    }

    private static ListTransactionsResponse list(SweepContext sweep, short version, ListTransactionsRequestData request)
            throws Exception {
        ListTransactionsResponse answer = sweep.client().send(ApiKeys.LIST_TRANSACTIONS, version, request);
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        return answer;
    }

    private static List<String> lines(ListTransactionsResponse answer) {
        return answer.data().transactionStates().stream()
                .map(s -> s.transactionalId() + " " + s.producerId() + " " + s.transactionState())
                .toList();
    }
}
