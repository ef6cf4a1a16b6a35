package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static io.varve.it.sweep.SweepContext.simpleRecords;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * DescribeProducers v0: an idempotent producer's state on the partition it wrote (id, epoch, last
 * sequence, no transaction), nothing on a partition it did not write, UNKNOWN_TOPIC_OR_PARTITION for
 * a partition that does not exist.
 */
final class DescribeProducersSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("producers", version);
        Uuid topicId = sweep.createTopic(topic, 2);
        InitProducerIdResponse init = sweep.client()
                .send(
                        ApiKeys.INIT_PRODUCER_ID,
                        (short) 4,
                        new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000));
        long producerId = init.data().producerId();
        ProduceRequestData produce =
                new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        ProduceRequestData.TopicProduceData data =
                new ProduceRequestData.TopicProduceData().setName(topic).setTopicId(topicId);
        data.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.withIdempotentRecords(
                                Compression.NONE, producerId, (short) 0, 0, simpleRecords("a", "b", "c"))));
        produce.topicData().add(data);
        ProduceResponse produced = sweep.client().send(ApiKeys.PRODUCE, ApiKeys.PRODUCE.latestVersion(), produce);
        assertThat(produced.errorCounts()).containsOnlyKeys(Errors.NONE);

        DescribeProducersResponse answer = sweep.client()
                .send(
                        ApiKeys.DESCRIBE_PRODUCERS,
                        version,
                        new DescribeProducersRequestData()
                                .setTopics(topics(
                                        new TopicRequest().setName(topic).setPartitionIndexes(List.of(0, 1, 7)))));
        List<PartitionResponse> partitions =
                answer.data().topics().iterator().next().partitions();
        assertThat(partitions).extracting(PartitionResponse::partitionIndex).containsExactly(0, 1, 7);
        assertThat(Errors.forCode(partitions.get(0).errorCode())).isEqualTo(Errors.NONE);
        assertThat(partitions.get(0).activeProducers()).hasSize(1);
        ProducerState state = partitions.get(0).activeProducers().get(0);
        assertThat(state.producerId()).isEqualTo(producerId);
        assertThat(state.producerEpoch()).isZero();
        assertThat(state.lastSequence()).isEqualTo(2);
        assertThat(state.lastTimestamp()).isEqualTo(SweepContext.BASE_TIMESTAMP + 20);
        assertThat(state.coordinatorEpoch()).isEqualTo(-1);
        assertThat(state.currentTxnStartOffset()).isEqualTo(-1L);
        assertThat(Errors.forCode(partitions.get(1).errorCode())).isEqualTo(Errors.NONE);
        assertThat(partitions.get(1).activeProducers()).isEmpty();
        assertThat(Errors.forCode(partitions.get(2).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    private static DescribeProducersRequestData.TopicRequestCollection topics(TopicRequest topic) {
        DescribeProducersRequestData.TopicRequestCollection topics =
                new DescribeProducersRequestData.TopicRequestCollection();
        topics.add(topic);
        return topics;
    }
}
