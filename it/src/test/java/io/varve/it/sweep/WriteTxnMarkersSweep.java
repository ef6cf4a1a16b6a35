package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * WriteTxnMarkers as Admin {@code abortTransaction} sends it for a hanging transaction: the abort
 * marker with the producer's epoch and the coordinator epoch DescribeProducers reported (none before
 * the producer's first marker: the tool sends 0) ends the open
 * transaction on the partition (a read_committed consumer reads past it and sees none of its records);
 * a partition that does not exist is UNKNOWN_TOPIC_OR_PARTITION. The producer can still end its
 * transaction with its coordinator afterwards.
 */
final class WriteTxnMarkersSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("write-txn-markers", version);
        Uuid topicId = sweep.createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        Txns.Producer producer = Txns.init(sweep, topic + "-txn");
        assertThat(Txns.addPartitions(sweep, (short) 3, producer, topic, 0).values())
                .containsOnly(Errors.NONE);
        long first = Txns.produced(sweep, Txns.TV1_PRODUCE, producer, topic, topicId, 0, 0, "hanging");

        List<ProducerState> producers = sweep.admin()
                .describeProducers(List.of(tp))
                .partitionResult(tp)
                .get()
                .activeProducers();
        assertThat(producers).hasSize(1);
        ProducerState state = producers.get(0);
        assertThat(state.producerId()).isEqualTo(producer.producerId());
        assertThat(state.currentTransactionStartOffset()).hasValue(first);
        // no marker yet: no coordinator epoch known (-1), and kafka-transactions.sh abort then sends 0
        assertThat(state.coordinatorEpoch()).isEmpty();

        TopicPartition missing = new TopicPartition(topic, 5);
        WritableTxnMarker marker = new WritableTxnMarker()
                .setProducerId(producer.producerId())
                .setProducerEpoch(producer.epoch())
                .setCoordinatorEpoch(state.coordinatorEpoch().orElse(0))
                .setTransactionResult(false)
                .setTopics(List.of(new WritableTxnMarkerTopic().setName(topic).setPartitionIndexes(List.of(0, 5))));
        WriteTxnMarkersResponse answer = sweep.client()
                .send(ApiKeys.WRITE_TXN_MARKERS, version, new WriteTxnMarkersRequestData().setMarkers(List.of(marker)));
        assertThat(answer.errorsByProducerId())
                .isEqualTo(Map.of(
                        producer.producerId(), Map.of(tp, Errors.NONE, missing, Errors.UNKNOWN_TOPIC_OR_PARTITION)));
        assertThat(Txns.committedValues(sweep, topic, 0)).isEmpty();

        assertThat(Txns.endTxn(sweep, Txns.TV1_END_TXN, producer, false).error())
                .isEqualTo(Errors.NONE);
        Txns.Producer successor = Txns.init(sweep, producer.transactionalId());
        assertThat(successor.epoch()).isEqualTo((short) (producer.epoch() + 1));
    }
}
