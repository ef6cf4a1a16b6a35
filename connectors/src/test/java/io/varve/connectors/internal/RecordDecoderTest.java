package io.varve.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;

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

        RecordDecoder<String, String> decoder =
                new RecordDecoder<>(TP, new StringDeserializer(), new StringDeserializer());
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
}
