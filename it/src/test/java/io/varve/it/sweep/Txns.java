package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Transactional set-up for the transaction scenarios, as a Java producer does it (the scenario under
 * test uses its own version for its own API): a transactional producer's id and epoch, adding
 * partitions and a group (transaction version 1), transactional writes, ending a transaction, and
 * reading back what a read_committed consumer sees. Calls that a coordinator still completing the
 * previous transaction answers CONCURRENT_TRANSACTIONS are repeated, as clients do.
 */
final class Txns {
    static final int TIMEOUT_MS = 60_000;
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** The last Produce version of transaction version 1 (the leader verifies, does not add). */
    static final short TV1_PRODUCE = 11;
    /** The last EndTxn version of transaction version 1 (no epoch bump). */
    static final short TV1_END_TXN = 4;

    private Txns() {}

    /** A transactional producer after InitProducerId. */
    record Producer(String transactionalId, long producerId, short epoch) {
        Producer withEpoch(short newEpoch) {
            return new Producer(transactionalId, producerId, newEpoch);
        }
    }

    static Producer init(SweepContext sweep, String transactionalId) throws Exception {
        InitProducerIdResponse answer = retried(
                () -> sweep.client()
                        .send(
                                ApiKeys.INIT_PRODUCER_ID,
                                (short) 4,
                                new InitProducerIdRequestData()
                                        .setTransactionalId(transactionalId)
                                        .setTransactionTimeoutMs(TIMEOUT_MS)),
                r -> ((InitProducerIdResponse) r).error());
        assertThat(answer.error()).isEqualTo(Errors.NONE);
        return new Producer(
                transactionalId, answer.data().producerId(), answer.data().producerEpoch());
    }

    /** AddPartitionsToTxn as a producer sends it (v0–3): the error of each partition. */
    static Map<TopicPartition, Errors> addPartitions(
            SweepContext sweep, short version, Producer producer, String topic, int... partitions) throws Exception {
        List<TopicPartition> tps = new ArrayList<>();
        for (int partition : partitions) {
            tps.add(new TopicPartition(topic, partition));
        }
        return addPartitions(sweep, version, producer, tps);
    }

    static AddPartitionsToTxnTopicCollection topics(List<TopicPartition> partitions) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        for (TopicPartition tp : partitions) {
            AddPartitionsToTxnTopic topic = topics.find(tp.topic());
            if (topic == null) {
                topic = new AddPartitionsToTxnTopic().setName(tp.topic());
                topics.add(topic);
            }
            topic.partitions().add(tp.partition());
        }
        return topics;
    }

    static Map<TopicPartition, Errors> addPartitions(
            SweepContext sweep, short version, Producer producer, List<TopicPartition> partitions) throws Exception {
        AddPartitionsToTxnTopicCollection topics = topics(partitions);
        AddPartitionsToTxnResponse answer = retried(
                () -> sweep.client()
                        .send(
                                ApiKeys.ADD_PARTITIONS_TO_TXN,
                                version,
                                new AddPartitionsToTxnRequestData()
                                        .setV3AndBelowTransactionalId(producer.transactionalId())
                                        .setV3AndBelowProducerId(producer.producerId())
                                        .setV3AndBelowProducerEpoch(producer.epoch())
                                        .setV3AndBelowTopics(topics.duplicate())),
                r -> firstError(
                        ((AddPartitionsToTxnResponse) r).errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID)));
        return answer.errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID);
    }

    static Errors addOffsets(SweepContext sweep, short version, Producer producer, String groupId) throws Exception {
        AddOffsetsToTxnResponse answer = retried(
                () -> sweep.client()
                        .send(
                                ApiKeys.ADD_OFFSETS_TO_TXN,
                                version,
                                new AddOffsetsToTxnRequestData()
                                        .setTransactionalId(producer.transactionalId())
                                        .setProducerId(producer.producerId())
                                        .setProducerEpoch(producer.epoch())
                                        .setGroupId(groupId)),
                r -> Errors.forCode(((AddOffsetsToTxnResponse) r).data().errorCode()));
        return Errors.forCode(answer.data().errorCode());
    }

    /** EndTxn at {@code version}; v5's answer carries the bumped epoch. */
    static EndTxnResponse endTxn(SweepContext sweep, short version, Producer producer, boolean commit)
            throws Exception {
        return retried(
                () -> sweep.client()
                        .send(
                                ApiKeys.END_TXN,
                                version,
                                new EndTxnRequestData()
                                        .setTransactionalId(producer.transactionalId())
                                        .setProducerId(producer.producerId())
                                        .setProducerEpoch(producer.epoch())
                                        .setCommitted(commit)),
                r -> ((EndTxnResponse) r).error());
    }

    /**
     * A transactional batch of {@code values} from {@code baseSequence} to one partition at Produce
     * {@code version} (acks=all); the partition's answer.
     */
    static PartitionProduceResponse produce(
            SweepContext sweep,
            short version,
            Producer producer,
            String topic,
            Uuid topicId,
            int partition,
            int baseSequence,
            String... values)
            throws Exception {
        ProduceRequestData request = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(30_000)
                .setTransactionalId(producer.transactionalId());
        ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData().setName(topic);
        if (version >= 13) {
            data.setTopicId(topicId);
        }
        data.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(partition)
                        .setRecords(MemoryRecords.withTransactionalRecords(
                                Compression.NONE,
                                producer.producerId(),
                                producer.epoch(),
                                baseSequence,
                                SweepContext.simpleRecords(values))));
        request.topicData().add(data);
        ProduceResponse response = sweep.client().send(ApiKeys.PRODUCE, version, request);
        return response.data()
                .responses()
                .iterator()
                .next()
                .partitionResponses()
                .get(0);
    }

    /** Like {@link #produce} but the write must succeed; its base offset. */
    static long produced(
            SweepContext sweep,
            short version,
            Producer producer,
            String topic,
            Uuid topicId,
            int partition,
            int baseSequence,
            String... values)
            throws Exception {
        PartitionProduceResponse answer =
                produce(sweep, version, producer, topic, topicId, partition, baseSequence, values);
        assertThat(Errors.forCode(answer.errorCode())).as(answer.toString()).isEqualTo(Errors.NONE);
        return answer.baseOffset();
    }

    /**
     * The values a read_committed consumer (kafka-clients 4.4) reads from the partition once no
     * transaction is open on it (its last stable offset is its end), in order.
     */
    static List<String> committedValues(SweepContext sweep, String topic, int partition) throws Exception {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                sweep.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false);
        TopicPartition tp = new TopicPartition(topic, partition);
        try (KafkaConsumer<String, String> consumer =
                        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
                KafkaConsumer<String, String> uncommitted = new KafkaConsumer<>(
                        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, sweep.bootstrapServers()),
                        new StringDeserializer(),
                        new StringDeserializer())) {
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            List<String> values = new ArrayList<>();
            boolean complete = Conditions.awaitTrue(DEADLINE, () -> {
                long stable = consumer.endOffsets(Set.of(tp)).get(tp);
                if (uncommitted.endOffsets(Set.of(tp)).get(tp) != stable) {
                    return false;
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return consumer.position(tp) >= stable;
            });
            assertThat(complete)
                    .as("no open transaction on %s, read to its end", tp)
                    .isTrue();
            return values;
        }
    }

    /**
     * TxnOffsetCommit of {@code offset} for partition 0 of {@code topic} at {@code version}, as a
     * producer sends it for a consumer outside any group generation (v3+: generation -1, no member).
     */
    static Errors txnOffsetCommit(
            SweepContext sweep, short version, Producer producer, String groupId, String topic, long offset)
            throws Exception {
        TxnOffsetCommitRequestData request = new TxnOffsetCommitRequestData()
                .setTransactionalId(producer.transactionalId())
                .setGroupId(groupId)
                .setProducerId(producer.producerId())
                .setProducerEpoch(producer.epoch())
                .setTopics(List.of(new TxnOffsetCommitRequestTopic()
                        .setName(topic)
                        .setPartitions(List.of(new TxnOffsetCommitRequestPartition()
                                .setPartitionIndex(0)
                                .setCommittedOffset(offset)
                                .setCommittedMetadata("")))));
        if (version >= 3) {
            request.setGenerationIdOrMemberEpoch(-1).setMemberId("").setGroupInstanceId(null);
        }
        TxnOffsetCommitResponse answer = retried(
                () -> sweep.client().send(ApiKeys.TXN_OFFSET_COMMIT, version, request),
                r -> firstError((TxnOffsetCommitResponse) r));
        return firstError(answer);
    }

    /** The group's committed offset of partition 0 once it is {@code expected}, or what it is at the deadline. */
    static long awaitCommitted(SweepContext sweep, String groupId, String topic, long expected) throws Exception {
        AtomicReference<Long> committed = new AtomicReference<>();
        Conditions.awaitTrue(DEADLINE, () -> {
            committed.set(Groups.committed(sweep, groupId, topic, 1).get(0));
            return committed.get() == expected;
        });
        return committed.get();
    }

    private static Errors firstError(TxnOffsetCommitResponse answer) {
        return answer.errorCounts().keySet().stream()
                .filter(e -> e != Errors.NONE)
                .findFirst()
                .orElse(Errors.NONE);
    }

    /** The first error that is not NONE, or NONE. */
    static Errors firstError(Map<TopicPartition, Errors> errors) {
        return errors.values().stream()
                .filter(e -> e != Errors.NONE)
                .findFirst()
                .orElse(Errors.NONE);
    }

    interface Call<R> {
        R call() throws Exception;
    }

    /** Repeats {@code call} while its error is CONCURRENT_TRANSACTIONS (the last transaction completing). */
    static <R> R retried(Call<R> call, java.util.function.Function<Object, Errors> error) throws Exception {
        AtomicReference<R> last = new AtomicReference<>();
        Conditions.awaitTrue(DEADLINE, () -> {
            last.set(call.call());
            return error.apply(last.get()) != Errors.CONCURRENT_TRANSACTIONS;
        });
        return last.get();
    }
}
