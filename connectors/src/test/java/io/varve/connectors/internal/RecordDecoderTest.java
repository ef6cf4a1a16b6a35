package io.varve.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.connectors.stream.VarveRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {
    private static final TopicPartition TP = new TopicPartition("t", 3);

    private static SimpleRecord record(String key, String value) {
        return new SimpleRecord(
                5000L,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                new Header[] {new RecordHeader("h", "x".getBytes(StandardCharsets.UTF_8))});
    }

    @Test
    void decodesFromTheFetchOffsetSkippingControlBatchesAndCompressedAlike() {
        ByteBuffer log = ByteBuffer.allocate(4096);
        MemoryRecords first = MemoryRecords.withRecords(10L, Compression.NONE, record("a", "10"), record(null, "11"));
        MemoryRecords control = MemoryRecords.withEndTransactionMarker(
                12L, 1000L, 0, 99L, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        MemoryRecords zipped =
                MemoryRecords.withRecords(13L, Compression.gzip().build(), record("c", "13"), record("d", "14"));
        log.put(first.buffer()).put(control.buffer()).put(zipped.buffer()).flip();

        RecordDecoder<ConsumerRecord<String, String>> decoder =
                RecordDecoder.consumerRecords(TP, new StringDeserializer(), new StringDeserializer());
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long next = decoder.decode(log, 11L, out);

        assertThat(next).isEqualTo(15L);
        assertThat(out).extracting(ConsumerRecord::offset).containsExactly(11L, 13L, 14L);
        assertThat(out).extracting(ConsumerRecord::value).containsExactly("11", "13", "14");
        assertThat(out.get(0).key()).isNull();
        assertThat(out.get(1).key()).isEqualTo("c");
        assertThat(out.get(1).topic()).isEqualTo("t");
        assertThat(out.get(1).partition()).isEqualTo(3);
        assertThat(out.get(1).timestamp()).isEqualTo(5000L);
        assertThat(out.get(1).timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(new String(out.get(2).headers().lastHeader("h").value(), StandardCharsets.UTF_8))
                .isEqualTo("x");
    }

    @Test
    void recordsAreSlicesOfTheReadDeserializedOnlyWhenAsked() {
        ByteBuffer log = ByteBuffer.allocate(4096);
        MemoryRecords first = MemoryRecords.withRecords(10L, Compression.NONE, record("a", "10"), record(null, "11"));
        MemoryRecords control = MemoryRecords.withEndTransactionMarker(
                12L, 1000L, 0, 99L, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        MemoryRecords zipped = MemoryRecords.withRecords(
                13L,
                Compression.gzip().build(),
                record("c", "13"),
                new SimpleRecord(6000L, "d".getBytes(StandardCharsets.UTF_8), null));
        log.put(first.buffer()).put(control.buffer()).put(zipped.buffer()).flip();

        List<VarveRecord> out = new ArrayList<>();
        long next = RecordDecoder.records(TP).decode(log, 10L, out);

        assertThat(next).isEqualTo(15L);
        assertThat(out).extracting(VarveRecord::offset).containsExactly(10L, 11L, 13L, 14L);
        assertThat(out).extracting(VarveRecord::topicPartition).containsOnly(TP);
        assertThat(out).extracting(VarveRecord::timestamp).containsExactly(5000L, 5000L, 5000L, 6000L);
        assertThat(out).extracting(VarveRecord::timestampType).containsOnly(TimestampType.CREATE_TIME);
        StringDeserializer strings = new StringDeserializer();
        assertThat(out).extracting(r -> r.key(strings)).containsExactly("a", null, "c", "d");
        assertThat(out).extracting(r -> r.value(strings)).containsExactly("10", "11", "13", null);
        VarveRecord a = out.get(0);
        assertThat(a.value().isReadOnly()).isTrue();
        assertThat(a.valueBytes()).isEqualTo("10".getBytes(StandardCharsets.UTF_8));
        assertThat(a.keyBytes()).isEqualTo("a".getBytes(StandardCharsets.UTF_8));
        assertThat(a.serializedKeySize()).isEqualTo(1);
        assertThat(a.serializedValueSize()).isEqualTo(2);
        assertThat(new String(a.headers().lastHeader("h").value(), StandardCharsets.UTF_8))
                .isEqualTo("x");
        // reading a value does not move it: the next reader sees the same bytes
        a.value().get(new byte[2]);
        assertThat(a.value(strings)).isEqualTo("10");
        VarveRecord tombstone = out.get(3);
        assertThat(tombstone.hasValue()).isFalse();
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.valueBytes()).isNull();
        assertThat(tombstone.serializedValueSize()).isEqualTo(-1);
        assertThat(out.get(1).hasKey()).isFalse();
        assertThat(out.get(1).serializedKeySize()).isEqualTo(-1);

        ConsumerRecord<String, String> converted = out.get(2).toConsumerRecord(strings, strings);
        assertThat(converted.topic()).isEqualTo("t");
        assertThat(converted.partition()).isEqualTo(3);
        assertThat(converted.offset()).isEqualTo(13L);
        assertThat(converted.key()).isEqualTo("c");
        assertThat(converted.value()).isEqualTo("13");
        assertThat(converted.timestamp()).isEqualTo(5000L);
        assertThat(converted.serializedKeySize()).isEqualTo(1);
        assertThat(converted.serializedValueSize()).isEqualTo(2);
        assertThat(converted.leaderEpoch()).isEqualTo(out.get(2).leaderEpoch());
        assertThat(new String(converted.headers().lastHeader("h").value(), StandardCharsets.UTF_8))
                .isEqualTo("x");
    }
}
