package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Time retention end to end: a quiet topic whose every record is older than {@code retention.ms}
 * is emptied by the next retention check, active segment included, as Apache Kafka does.
 */
class RetentionIT {
    private static final Duration RETENTION_CHECK = Duration.ofMillis(200);
    private static final long ONE_HOUR_MS = 3_600_000L;

    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension(
            Map.of("varve.partition.retention-check-interval", RETENTION_CHECK.toMillis() + "ms"));

    @Test
    void expiredActiveSegmentIsRolledAndDeletedSoEarliestMovesToTheOldEnd() throws Exception {
        Admin admin = node.admin();
        String topic = "quiet";
        TopicPartition tp = new TopicPartition(topic, 0);
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(ONE_HOUR_MS)))))
                .all()
                .get();

        // records stamped two hours ago are past retention.ms the moment they are written
        long twoHoursAgo = System.currentTimeMillis() - 2 * ONE_HOUR_MS;
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 0, twoHoursAgo, "k" + i, "old-" + i))
                        .get();
            }
        }

        boolean emptied =
                Conditions.awaitTrue(Duration.ofSeconds(30), () -> offset(admin, tp, OffsetSpec.earliest()) == 3L);
        assertThat(emptied)
                .as("log start offset of %s reaches the old end 3", tp)
                .isTrue();
        assertThat(offset(admin, tp, OffsetSpec.latest())).isEqualTo(3L);

        // the log goes on from its old end, and a fresh record outlives the following retention checks
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            assertThat(producer.send(new ProducerRecord<>(topic, 0, "k3", "new-3"))
                            .get()
                            .offset())
                    .isEqualTo(3L);
        }
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(node.cluster(), Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.assign(List.of(tp));
            List<ConsumerRecord<String, String>> records = Clients.pollUntil(consumer, 1, Duration.ofSeconds(30));
            assertThat(records)
                    .extracting(ConsumerRecord::offset, ConsumerRecord::value)
                    .containsExactly(tuple(3L, "new-3"));
        }
        assertThat(offset(admin, tp, OffsetSpec.earliest())).isEqualTo(3L);
    }

    private static long offset(Admin admin, TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get().offset();
    }
}
