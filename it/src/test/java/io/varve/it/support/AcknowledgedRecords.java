package io.varve.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Checks a partition read back against what an idempotent producer of values {@code v<i>} was told. */
public final class AcknowledgedRecords {

    private AcknowledgedRecords() {}

    /**
     * Every value once, in the order produced, each acknowledged one at its acknowledged offset.
     *
     * @param records the partition from its start to its end offset
     * @param acknowledged the offset each acknowledged value {@code v<i>} was acknowledged at, by i
     */
    public static void assertExactlyOnceInOrder(
            List<ConsumerRecord<String, String>> records, Map<Integer, Long> acknowledged) {
        Map<String, Long> offsetOfValue = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            assertThat(offsetOfValue.put(record.value(), record.offset()))
                    .as("%s appears once", record.value())
                    .isNull();
        }
        acknowledged.forEach((i, offset) ->
                assertThat(offsetOfValue.get("v" + i)).as("acknowledged v%d", i).isEqualTo(offset));
        assertThat(records.stream()
                        .map(r -> Integer.parseInt(r.value().substring(1)))
                        .toList())
                .isSorted();
    }
}
