package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.batch;
import static io.varve.it.sweep.SweepContext.legacyRecords;
import static io.varve.it.sweep.SweepContext.name;
import static io.varve.it.sweep.SweepContext.simpleRecords;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Produce v3+: magic v2 batches with keys, headers and timestamps, acks all/1/0, an idempotent
 * producer's batch and its retry, and Kafka's per-partition errors: an unknown topic (by name, or
 * UNKNOWN_TOPIC_ID by id from v13), an unknown partition, and Kafka's request-shape checks for v3+
 * (INVALID_RECORD for a magic v1 batch or two batches in one partition, UNSUPPORTED_COMPRESSION_TYPE
 * for zstd below v7).
 */
final class ProduceSweep implements VersionScenario {
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    private static final short FIRST_LOG_START_OFFSET_VERSION = 5;
    private static final short FIRST_ZSTD_VERSION = 7;

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("produce", version);
        Uuid topicId = sweep.createTopic(topic, 2);
        Target target = new Target(topic, topicId);

        PartitionProduceResponse p0 = produce(sweep, version, target, (short) -1, 0, batch("a", "b", "c"));
        assertAppended(p0, version, 0L);
        assertAppended(produce(sweep, version, target, (short) -1, 1, batch("d", "e")), version, 0L);

        // acks=0 has no answer; the next answer's offsets prove the record was appended
        sweep.client()
                .sendWithoutResponse(ApiKeys.PRODUCE, version, request(target, version, (short) 0, 1, batch("f")));
        assertAppended(produce(sweep, version, target, (short) 1, 1, batch("g")), version, 3L);

        onIdempotentProducer(sweep, version, target);
        onBadInput(sweep, version, target);
    }

    private static void onIdempotentProducer(SweepContext sweep, short version, Target target) throws Exception {
        InitProducerIdResponse init = sweep.client()
                .send(
                        ApiKeys.INIT_PRODUCER_ID,
                        (short) 4,
                        new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000));
        long producerId = init.data().producerId();
        MemoryRecords first = MemoryRecords.withIdempotentRecords(
                Compression.NONE, producerId, (short) 0, 0, simpleRecords("i0", "i1"));
        assertAppended(produce(sweep, version, target, (short) -1, 0, first), version, 3L);
        // the producer's retry of the same batch is acknowledged with the first append's offset
        MemoryRecords retry = MemoryRecords.withIdempotentRecords(
                Compression.NONE, producerId, (short) 0, 0, simpleRecords("i0", "i1"));
        PartitionProduceResponse duplicate = produce(sweep, version, target, (short) -1, 0, retry);
        // Kafka answers a duplicate with the first batch's max timestamp as log append time
        assertThat(Errors.forCode(duplicate.errorCode())).isEqualTo(Errors.NONE);
        assertThat(duplicate.baseOffset()).isEqualTo(3L);
        MemoryRecords gap =
                MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, 7, simpleRecords("i7"));
        assertError(produce(sweep, version, target, (short) -1, 0, gap), Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }

    private static void onBadInput(SweepContext sweep, short version, Target target) throws Exception {
        Target unknown = version >= FIRST_TOPIC_ID_VERSION
                ? new Target(null, Uuid.randomUuid())
                : new Target(name("produce-missing", version), Uuid.ZERO_UUID);
        assertError(
                produce(sweep, version, unknown, (short) -1, 0, batch("x")),
                version >= FIRST_TOPIC_ID_VERSION ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertError(produce(sweep, version, target, (short) -1, 7, batch("x")), Errors.UNKNOWN_TOPIC_OR_PARTITION);

        MemoryRecords magicV1 =
                MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE, legacyRecords("old"));
        assertError(produce(sweep, version, target, (short) -1, 0, magicV1), Errors.INVALID_RECORD);
        assertError(produce(sweep, version, target, (short) -1, 0, twoBatches()), Errors.INVALID_RECORD);

        MemoryRecords zstd = MemoryRecords.withRecords(Compression.zstd().build(), simpleRecords("z"));
        PartitionProduceResponse zstdAnswer = produce(sweep, version, target, (short) -1, 1, zstd);
        if (version >= FIRST_ZSTD_VERSION) {
            assertAppended(zstdAnswer, version, 4L);
        } else {
            assertError(zstdAnswer, Errors.UNSUPPORTED_COMPRESSION_TYPE);
        }
        // acks other than -1, 0, 1
        assertError(produce(sweep, version, target, (short) 2, 0, batch("x")), Errors.INVALID_REQUIRED_ACKS);
    }

    private static MemoryRecords twoBatches() {
        ByteBuffer one = batch("b1").buffer();
        ByteBuffer two = batch("b2").buffer();
        ByteBuffer both = ByteBuffer.allocate(one.remaining() + two.remaining());
        both.put(one).put(two).flip();
        return MemoryRecords.readableRecords(both);
    }

    private static PartitionProduceResponse produce(
            SweepContext sweep, short version, Target target, short acks, int partition, MemoryRecords records)
            throws Exception {
        ProduceResponse response =
                sweep.client().send(ApiKeys.PRODUCE, version, request(target, version, acks, partition, records));
        assertThat(response.data().responses()).hasSize(1);
        TopicProduceResponse topic = response.data().responses().iterator().next();
        if (version >= FIRST_TOPIC_ID_VERSION) {
            assertThat(topic.topicId()).isEqualTo(target.topicId());
        } else {
            assertThat(topic.name()).isEqualTo(target.name());
        }
        assertThat(topic.partitionResponses()).hasSize(1);
        PartitionProduceResponse answer = topic.partitionResponses().get(0);
        assertThat(answer.index()).isEqualTo(partition);
        return answer;
    }

    private static ProduceRequestData request(
            Target target, short version, short acks, int partition, MemoryRecords records) {
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData();
        if (version >= FIRST_TOPIC_ID_VERSION) {
            topic.setTopicId(target.topicId());
        } else {
            topic.setName(target.name());
        }
        topic.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(partition)
                        .setRecords(records));
        ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(30_000);
        request.topicData().add(topic);
        return request;
    }

    private static void assertAppended(PartitionProduceResponse answer, short version, long baseOffset) {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("error", Errors.NONE);
        expected.put("baseOffset", baseOffset);
        expected.put("logAppendTimeMs", -1L);
        expected.put("logStartOffset", version >= FIRST_LOG_START_OFFSET_VERSION ? 0L : -1L);
        assertThat(actual(answer)).isEqualTo(expected);
    }

    private static void assertError(PartitionProduceResponse answer, Errors error) {
        assertThat(Errors.forCode(answer.errorCode()))
                .as("%s (%s)", answer, answer.errorMessage())
                .isEqualTo(error);
    }

    private static Map<String, Object> actual(PartitionProduceResponse answer) {
        Map<String, Object> actual = new LinkedHashMap<>();
        actual.put("error", Errors.forCode(answer.errorCode()));
        actual.put("baseOffset", answer.baseOffset());
        actual.put("logAppendTimeMs", answer.logAppendTimeMs());
        actual.put("logStartOffset", answer.logStartOffset());
        return actual;
    }

    private record Target(String name, Uuid topicId) {}
}
