package io.varve.connectors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class PartitionBatchesTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final Header[] NO_HEADERS = new Header[0];

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aLoneRecordIsSentAtOnceAndLaterOnesWaitForAnAnswer() {
        PartitionBatches<String> batches =
                new PartitionBatches<>(TP, new ProducerIdentity(7, (short) 0), Compression.NONE, 64 * 1024, 1);
        batches.add("a", 1000L, null, bytes("a"), NO_HEADERS);
        PartitionBatches.Batch<String> first = batches.nextToSend(1L).orElseThrow();
        assertThat(first.elements()).containsExactly("a");
        batches.add("b", 1001L, null, bytes("b"), NO_HEADERS);
        batches.add("c", 1002L, bytes("k"), bytes("c"), NO_HEADERS);
        assertThat(batches.nextToSend(2L)).isEmpty(); // one append outstanding
        assertThat(batches.onAnswered()).isSameAs(first);
        PartitionBatches.Batch<String> second = batches.nextToSend(3L).orElseThrow();
        assertThat(second.elements()).containsExactly("b", "c");
        assertThat(second.deadlineNanos()).isEqualTo(3L);

        // real v2 batches: producer id, epoch and consecutive sequences, offsets from 0
        MutableRecordBatch one = first.records().batches().iterator().next();
        MutableRecordBatch two = second.records().batches().iterator().next();
        assertThat(one.magic()).isEqualTo(RecordBatch.MAGIC_VALUE_V2);
        assertThat(one.producerId()).isEqualTo(7);
        assertThat(two.producerEpoch()).isZero();
        assertThat(one.baseSequence()).isZero();
        assertThat(two.baseSequence()).isEqualTo(1);
        assertThat(two.lastSequence()).isEqualTo(2);
        List<Record> records = new ArrayList<>();
        two.forEach(records::add);
        assertThat(records).extracting(Record::offset).containsExactly(0L, 1L);
        assertThat(records).extracting(Record::timestamp).containsExactly(1001L, 1002L);
        assertThat(records.get(1).hasKey()).isTrue();
        two.ensureValid();
    }

    @Test
    void aFullBatchIsSealedAndTheNextRecordOpensAnother() {
        PartitionBatches<Integer> batches =
                new PartitionBatches<>(TP, ProducerIdentity.NONE, Compression.NONE, 1024, 2);
        for (int i = 0; i < 30; i++) {
            batches.add(i, 0L, null, new byte[100], NO_HEADERS);
        }
        // 30 records of 100 bytes do not fit in 1 KiB: the first batches were sealed full
        List<Integer> sent = new ArrayList<>();
        PartitionBatches.Batch<Integer> a = batches.nextToSend(0L).orElseThrow();
        PartitionBatches.Batch<Integer> b = batches.nextToSend(0L).orElseThrow();
        assertThat(batches.nextToSend(0L)).isEmpty();
        assertThat(a.records().sizeInBytes()).isLessThanOrEqualTo(1024);
        sent.addAll(a.elements());
        sent.addAll(b.elements());
        batches.onAnswered();
        batches.onAnswered();
        PartitionBatches.Batch<Integer> next;
        while (!batches.isEmpty()) {
            next = batches.nextToSend(0L).orElseThrow();
            sent.addAll(next.elements());
            assertThat(next.records().batches().iterator().next().producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
            batches.onAnswered();
        }
        assertThat(sent)
                .containsExactlyElementsOf(
                        java.util.stream.IntStream.range(0, 30).boxed().toList());
    }

    @Test
    void anAnswerWithNothingOutstandingIsABug() {
        PartitionBatches<String> batches = new PartitionBatches<>(TP, ProducerIdentity.NONE, Compression.NONE, 1024, 1);
        assertThatThrownBy(batches::onAnswered).isInstanceOf(IllegalStateException.class);
    }
}
